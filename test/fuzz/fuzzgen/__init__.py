"""The parts of test/fuzz/random_programs.py: what a program is made of
(common), the ops it draws (ops_elementwise, ops_structure), its .nn and
NumPy texts (render), and how nnc's results are checked (checking)."""
