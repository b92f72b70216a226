"""Mock exams (``cardcli exam mock``): a timed practice exam shaped like the real one.

``template`` (the YAML file: sections, problems, card draws, points, time), ``exam`` (building
the questions from a seed), ``sitting`` (the timed loop), ``marking`` (partial credit, the answer
key), ``report`` (the marking on screen), ``printing`` (Markdown/HTML with key and solutions),
``record`` (what goes into the history). NumPy loads only when an exam is built.
"""
