"""Ctrl-C: sends SIGINT to `nnc run` in an endless loop (expects status 130
and the note saying where it stopped) and to a REPL session running an
endless loop (expects the session to go on and run the next input)."""
import signal
import subprocess
import sys
import time

nnc, script = sys.argv[1], sys.argv[2]


def wait_for(stream, text):
    seen = ""
    while text not in seen:
        line = stream.readline()
        if not line:
            sys.exit("ended before printing " + repr(text) + "; got " + repr(seen))
        seen += line


run = subprocess.Popen([nnc, "run", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
wait_for(run.stdout, "looping")
time.sleep(0.3)
run.send_signal(signal.SIGINT)
out, err = run.communicate(timeout=30)
print("run status", run.returncode)
print(err)

repl = subprocess.Popen([nnc, "repl"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
repl.stdin.write('print("looping")\nwhile true {}\n')
repl.stdin.flush()
wait_for(repl.stdout, "looping")
time.sleep(0.3)
repl.send_signal(signal.SIGINT)
repl.stdin.write("print(6 * 7)\n")
out, err = repl.communicate(timeout=30)
print("repl status", repl.returncode)
print(out)
print(err)
