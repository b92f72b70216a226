"""Output sizes of convolution, pooling and transposed convolution (PyTorch rules), VGG-16 dims.

    conv:        O = floor((I + 2P - D(K-1) - 1) / S) + 1
    pool:        O = floor_or_ceil((I + 2P - D(K-1) - 1) / S) + 1, and with ceil_mode the last
                 window must start inside the input or the left padding: if (O-1)S >= I + P, O -= 1
    transposed:  O = (I - 1)S - 2P + D(K-1) + OP + 1
"""

from __future__ import annotations

from typing import Any

from generators._args import as_int

__all__ = ["conv_output_size", "pool_output_size", "transposed_conv_output_size", "vgg16_dims"]


def conv_output_size(
    input_size: int, kernel_size: int, stride: int = 1, padding: Any = 0, dilation: int = 1
) -> int:
    """``floor((i + 2p - d(k-1) - 1) / s) + 1``.

    ``padding`` may also be 'valid' (0), 'full' (d(k-1)) or 'same' (stride 1 only: output = input).
    """
    i = as_int(input_size, "input_size", minimum=1)
    k = as_int(kernel_size, "kernel_size", minimum=1)
    s = as_int(stride, "stride", minimum=1)
    d = as_int(dilation, "dilation", minimum=1)
    if isinstance(padding, str):
        mode = padding.strip().lower()
        if mode == "same":
            if s != 1:
                raise ValueError(f"padding='same' needs stride 1 (as in PyTorch), got stride {s}")
            return i
        if mode not in ("valid", "full"):
            raise ValueError(f"padding must be an int or one of ('valid', 'same', 'full'), got {padding!r}")
        total = 0 if mode == "valid" else 2 * d * (k - 1)
    else:
        total = 2 * as_int(padding, "padding", minimum=0)
    eff = d * (k - 1) + 1
    if eff > i + total:
        raise ValueError(f"kernel {k} (dilated to {eff}) is larger than the padded input {i + total}")
    return (i + total - eff) // s + 1


def pool_output_size(
    input_size: int,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """PyTorch pooling size: ``floor/ceil((i + 2p - d(k-1) - 1) / s) + 1``, minus one if (ceil_mode)
    the last window would start past the input and its left padding (``(o-1)s >= i + p``).

    ``stride`` None means ``kernel_size``. Like PyTorch, padding may be at most half the
    kernel size (``p <= k // 2``, the undilated kernel — PyTorch checks ``pad <= kW / 2``).
    """
    i = as_int(input_size, "input_size", minimum=1)
    k = as_int(kernel_size, "kernel_size", minimum=1)
    s = k if stride is None else as_int(stride, "stride", minimum=1)
    p = as_int(padding, "padding", minimum=0)
    d = as_int(dilation, "dilation", minimum=1)
    eff = d * (k - 1) + 1
    if p > k // 2:
        raise ValueError(f"pool padding {p} must be at most half of the kernel size {k}")
    num = i + 2 * p - eff
    if num < 0:
        raise ValueError(f"pool kernel {k} (dilated to {eff}) is larger than the padded input {i + 2 * p}")
    out = (-(-num // s) if ceil_mode else num // s) + 1
    if ceil_mode and (out - 1) * s >= i + p:
        out -= 1
    return out


def transposed_conv_output_size(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int:
    """``(i - 1)s - 2p + d(k-1) + output_padding + 1`` (PyTorch ConvTranspose2d).

    ``output_padding`` must be smaller than the stride or the dilation, as in PyTorch.
    """
    i = as_int(input_size, "input_size", minimum=1)
    k = as_int(kernel_size, "kernel_size", minimum=1)
    s = as_int(stride, "stride", minimum=1)
    p = as_int(padding, "padding", minimum=0)
    op = as_int(output_padding, "output_padding", minimum=0)
    d = as_int(dilation, "dilation", minimum=1)
    if op >= max(s, d):
        raise ValueError(f"output_padding {op} must be smaller than the stride {s} or the dilation {d}")
    out = (i - 1) * s - 2 * p + d * (k - 1) + op + 1
    if out < 1:
        raise ValueError(f"transposed convolution output size would be {out} (padding {p} too large)")
    return out


def vgg16_dims(input_size: int = 224) -> dict[str, Any]:
    """Spatial sizes through VGG-16 (3×3 convs, stride 1, pad 1 keep the size; 2×2/2 max-pools halve it).

    ``blockN`` is ``[H, W, channels]`` of the convs inside block N (before its pool), ``pool5`` the
    input to the classifier, ``fc6``/``fc7``/``fc8`` the widths of the fully connected layers.
    """
    size = as_int(input_size, "input_size", minimum=32)
    dims: dict[str, Any] = {}
    for n, channels in enumerate((64, 128, 256, 512, 512), start=1):
        size = conv_output_size(size, 3, 1, 1)
        dims[f"block{n}"] = [size, size, channels]
        size = pool_output_size(size, 2, 2)
    dims["pool5"] = [size, size, 512]
    dims.update(fc6=4096, fc7=4096, fc8=1000)
    return dims
