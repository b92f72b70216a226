"""The problem families by name: topics and descriptions, without importing NumPy.

:mod:`generators.families` attaches a generator and a mistake catalog to each entry (from the
module named in :data:`MODULES`); commands that only need to know
which families exist (``study`` building its card list, ``--topic`` resolution) use this module so
they start without loading NumPy or the solver.
"""

from __future__ import annotations

from collections.abc import Collection

from generators.errors import GeneratorError, did_you_mean

__all__ = ["CATALOG", "MODULES", "resolve"]

#: family name -> (topics, one-line description); the names are an interface.
CATALOG: dict[str, tuple[tuple[str, ...], str]] = {
    "conv-forward": (("conv",), "output (or one cell) of a 2-D cross-correlation"),
    "conv-backward": (("conv", "backprop"), "gradient of a conv layer w.r.t. its input or weights"),
    "pool-forward": (("pooling",), "max or average pooling output"),
    "pool-backward": (("pooling", "backprop"), "gradient routed back through max/average pooling"),
    "conv-output-size": (("output-size", "conv"), "spatial output size (or shape) of a conv layer"),
    "pool-output-size": (("output-size", "pooling"), "output size of a pooling layer (floor/ceil_mode)"),
    "transposed-conv-output-size": (("output-size", "conv"), "output size of a transposed convolution"),
    "param-count": (("params",), "trainable parameters of a layer or a small network"),
    "activation-memory": (("memory",), "activation values and memory in MB/MiB"),
    "receptive-field": (("receptive-field", "conv"), "receptive field of a stack of layers"),
    "spectral-radius": (("rnn",), "RNN W_hh spectral radius and vanishing/exploding verdict"),
    "vgg-dims": (("architectures", "output-size"), "VGG-16 activation shapes for an input size"),
}

#: family name -> the module of ``generators.families`` that holds its generator, solution text and
#: mistake catalog (pool-forward and pool-backward share one: they draw the same windows).
MODULES: dict[str, str] = {
    "conv-forward": "conv_forward",
    "conv-backward": "conv_backward",
    "pool-forward": "pooling",
    "pool-backward": "pooling",
    "conv-output-size": "conv_output_size",
    "pool-output-size": "pool_output_size",
    "transposed-conv-output-size": "transposed_conv_output_size",
    "param-count": "param_count",
    "activation-memory": "activation_memory",
    "receptive-field": "receptive_field",
    "spectral-radius": "spectral_radius",
    "vgg-dims": "vgg_dims",
}


def resolve(topics_or_families: list[str], other_topics: Collection[str] = ()) -> list[str]:
    """Sorted family names selected by ``--topic`` values (topics or family names); empty = all.

    Raises :class:`~generators.errors.GeneratorError` for a name no family has; ``other_topics``
    are the application's topics without generated problems (named as such in the message).
    """
    if not topics_or_families:
        return sorted(CATALOG)
    by_topic: dict[str, list[str]] = {}
    for name, (topics, _) in CATALOG.items():
        for t in topics:
            by_topic.setdefault(t, []).append(name)
    chosen: set[str] = set()
    for value in topics_or_families:
        if value in CATALOG:
            chosen.add(value)
        elif value in by_topic:
            chosen.update(by_topic[value])
        elif value in other_topics:
            raise GeneratorError(f"topic {value!r} has no generated problems (flashcards only); problem topics: "
                             f"{', '.join(sorted(by_topic))}")
        else:
            valid = sorted(by_topic) + sorted(CATALOG)
            raise GeneratorError(
                f"no problem family or problem topic {value!r}{did_you_mean(value, valid)}; "
                f"topics: {', '.join(sorted(by_topic))}; families: {', '.join(sorted(CATALOG))}")
    return sorted(chosen)
