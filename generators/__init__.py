"""Problem families and the NumPy reference solver."""
