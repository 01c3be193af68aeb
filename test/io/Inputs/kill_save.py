# Kills `nnc run` with SIGKILL at random moments while it saves a 24 MB
# tensor over and over, and checks after each kill that the target is a
# complete file of one version (the old one or a new one, never a mix)
# that nnc loads, and that no temporary file of it survives the next
# successful save (one that an older nnc, which named them `.tmp-<pid>`,
# left behind is planted to show that such files are cleaned up too).
#
#   kill_save.py NNC DIR
import glob, json, os, random, struct, subprocess, sys, time

nnc, d = sys.argv[1], sys.argv[2]
os.chdir(d)
count, kills = 6 * 1024 * 1024, 6
target = "model.safetensors"
open("save_loop.nn", "w").write("for i in 0..1000000 {\n    save(full([%d], i), \"%s\")\n}\n" % (count, target))
open("save_once.nn", "w").write("save(full([%d], -1), \"%s\")\n" % (count, target))
open("load.nn", "w").write("print(load(\"%s\")[0])\n" % target)


def fail(why):
    sys.exit("kill_save: " + why)


# The version (the value the tensor is filled with) of a complete target.
def version():
    data = open(target, "rb").read()
    length = struct.unpack("<Q", data[:8])[0]
    entry = json.loads(data[8:8 + length])["tensor"]
    body = data[8 + length:]
    if entry["shape"] != [count] or entry["data_offsets"] != [0, 4 * count] or len(body) != 4 * count:
        fail("the target is incomplete: %s, %d data bytes" % (entry, len(body)))
    if body != body[:4] * count:
        fail("the target mixes versions")
    return struct.unpack("<f", body[:4])[0]


def loaded():
    return float(subprocess.run([nnc, "run", "load.nn"], capture_output=True, text=True, check=True).stdout)


def temp_files():
    return glob.glob(target + ".tmp-*")


subprocess.run([nnc, "run", "save_once.nn"], check=True)
for k in range(kills):
    p = subprocess.Popen([nnc, "run", "save_loop.nn"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(random.uniform(0.3, 1.0))
    p.kill()
    p.wait()
    v = version()
    if loaded() != v:
        fail("nnc loads another version than the file holds")
print("after %d kills the target was complete each time" % kills)

dead = subprocess.Popen(["true"])
dead.wait()
open("%s.tmp-%d" % (target, dead.pid), "w").write("left by an older nnc killed mid-save")
subprocess.run([nnc, "run", "save_once.nn"], check=True)
if version() != -1 or loaded() != -1:
    fail("the last save did not replace the target")
print("temporary files after the next save: %d" % len(temp_files()))
