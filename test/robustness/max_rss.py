"""Runs a command and prints its peak resident memory in MiB ("rss N"), so
lit tests can compare how memory grows with the work a program does."""
import resource
import subprocess
import sys

subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print("rss", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
