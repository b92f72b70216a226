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
    "graph-backprop": (("backprop",), "forward value and gradients of a small computational graph (multi-part)"),
    "softmax-loss": (("loss", "linear-classifiers"), "softmax cross-entropy loss or its gradient w.r.t. the scores"),
    "svm-loss": (("loss", "linear-classifiers"), "multiclass SVM (hinge) loss or its gradient w.r.t. the scores"),
    "linear-backward": (("backprop",), "gradient of y = x·w + b w.r.t. x, w or b"),
    "activation-backward": (("activations", "backprop"), "gradient through sigmoid, tanh, ReLU or leaky ReLU"),
    "batchnorm": (("normalization", "backprop"), "training-mode batch norm output or its gradient"),
    "dropout": (("regularization",), "inverted dropout output or gradient, train or eval mode"),
    "optimizer-step": (("optimization",), "weights after SGD/momentum/Nesterov/Adagrad/RMSprop/Adam steps"),
    "rnn-step": (("rnn", "backprop"), "vanilla tanh RNN: h_T after T steps, or a backprop-through-time gradient"),
    "lstm-step": (("rnn",), "one nn.LSTMCell step: the new cell and hidden states (two parts)"),
    "gru-step": (("rnn",), "one nn.GRUCell step: the new hidden state"),
    "attention": (("attention",), "scaled dot-product attention output (with a mask or causal)"),
    "transformer-params": (("architectures", "params"),
                           "parameters of Transformer encoder layers (+ embedding), or the attention-weight shape"),
    "flops": (("architectures", "conv"), "multiply-accumulates or FLOPs of a conv or linear layer on a batch"),
    "init-std": (("initialization",), "Xavier/Kaiming initialisation: the weights' std or uniform bound"),
    "knn": (("knn",), "k-nearest-neighbour prediction with the L1 or L2 distance"),
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
    "graph-backprop": "graph_backprop",
    "softmax-loss": "softmax_loss",
    "svm-loss": "svm_loss",
    "linear-backward": "linear_backward",
    "activation-backward": "activation_backward",
    "batchnorm": "batchnorm",
    "dropout": "dropout",
    "optimizer-step": "optimizer_step",
    "rnn-step": "rnn_step",
    "lstm-step": "lstm_step",
    "gru-step": "gru_step",
    "attention": "attention",
    "transformer-params": "transformer_params",
    "flops": "flops",
    "init-std": "init_std",
    "knn": "knn",
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
