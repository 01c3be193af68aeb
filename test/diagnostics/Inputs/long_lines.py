# Writes programs into the directory argv[1] whose one line is 3 MB long,
# with an undeclared name (the error) at its start, middle or end, and one
# of two-byte UTF-8 characters, which the quoted part must not cut in two.
import sys

d = sys.argv[1]
text = '"' + "x" * 1500000 + '"'
programs = {
    "start": "let s = missing + " + text + " + " + text,
    "middle": "let s = " + text + " + missing + " + text,
    "end": "let s = " + text + " + " + text + " + missing",
    "utf8": 'let s = "' + "\u00e9" * 1500000 + 'x" + missing',   # an odd number of bytes before the caret
}
for name, line in programs.items():
    open("%s/%s.nn" % (d, name), "w", encoding="utf-8").write(line + "\n")
