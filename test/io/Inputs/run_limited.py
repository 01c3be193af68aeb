# Runs a command that must finish within a time limit, exit with a given
# status and print little, then prints what it printed (stdout, then
# stderr) for FileCheck. Fails, saying which limit was broken, otherwise.
#
#   run_limited.py SECONDS STATUS MAX_BYTES -- COMMAND...
import subprocess, sys

seconds, status, max_bytes = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
assert sys.argv[4] == "--", "usage: run_limited.py SECONDS STATUS MAX_BYTES -- COMMAND..."
command = sys.argv[5:]
shown = " ".join(command)
try:
    result = subprocess.run(command, capture_output=True, timeout=seconds)
except subprocess.TimeoutExpired:
    sys.exit("run_limited: `%s` ran longer than %g s" % (shown, seconds))
output = result.stdout + result.stderr
head = output[:2000].decode(errors="replace")
if result.returncode != status:
    sys.exit("run_limited: `%s` exited with status %d, not %d:\n%s" % (shown, result.returncode, status, head))
if len(output) > max_bytes:
    sys.exit("run_limited: `%s` printed %d bytes, more than %d:\n%s" % (shown, len(output), max_bytes, head))
sys.stdout.buffer.write(output)
