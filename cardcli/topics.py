"""The topic vocabulary shared by decks and problem generators.

Every card's ``topic`` and every generator family's ``topics`` come from this list, so
``--topic conv`` selects flashcards and generated problems alike.
"""

from __future__ import annotations

__all__ = ["TOPICS"]

#: topic -> one-line description (shown by ``cardcli decks --topics`` and in README).
TOPICS: dict[str, str] = {
    "conv": "convolution layers: forward, backward, filters, weight sharing",
    "pooling": "max/average pooling, forward and backward",
    "backprop": "backpropagation, computation graphs, chain rule",
    "output-size": "output sizes of conv, pooling and transposed-conv layers",
    "params": "parameter counts of layers and networks",
    "memory": "activation memory in values and bytes",
    "receptive-field": "receptive fields of layer stacks",
    "rnn": "recurrent networks, LSTM/GRU, vanishing and exploding gradients",
    "attention": "attention, scaled dot-product attention, masks, transformers",
    "architectures": "AlexNet, VGG, GoogLeNet, ResNet and other designs",
    "transfer-learning": "pretrained networks, fine-tuning, feature extraction",
    "optimization": "SGD, momentum, Adagrad, RMSProp, Adam, learning rates",
    "regularization": "L1/L2, dropout, data augmentation, overfitting",
    "activations": "sigmoid, tanh, ReLU and friends",
    "loss": "softmax, cross-entropy, hinge and other losses",
    "linear-classifiers": "linear score functions, SVM, softmax classifier, bias trick",
    "knn": "nearest-neighbour classifiers and distances",
    "visualization": "visualising and understanding networks",
    "detection": "object detection",
    "segmentation": "semantic and instance segmentation",
    "preprocessing": "data preprocessing, normalisation of inputs",
    "normalization": "batch norm, layer norm, LRN",
    "initialization": "weight initialisation",
    "training": "training practice: gradient checks, babysitting, hyperparameters",
    "neural-networks": "general neural-network concepts, capacity, errors",
    "course": "exam format and course logistics",
    "misc": "imported cards no keyword placed (cardcli import's fallback)",
}
