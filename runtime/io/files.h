// Whole-file reads and atomic writes, shared by the builtins that load and
// save data files (checkpoints, .npy/.npz, CSV) and by compiled libraries.
#pragma once

#include <string>

namespace nnc {

// Whether `path` is (or links to) a regular file.
bool is_regular_file(const std::string& path);

// Reads all of `path` into `out`; returns false with a message naming the
// path in `error` if it cannot (missing, a directory, unreadable).
bool read_whole_file(const std::string& path, std::string& out, std::string& error);

// How write_file_atomically holds the new contents until they replace the
// old. Unnamed: an O_TMPFILE file, which vanishes if the process dies
// before the rename (falling back to Named where the filesystem or kernel
// lacks O_TMPFILE, or /proc is not mounted). Named: a file named
// `<target>.tmp-<pid>-<counter>-<random>` from the start.
enum class TempFile { Unnamed, Named };

// Writes `bytes` to `path` atomically: the contents are written to a
// temporary file in the target's directory, fsynced and renamed over the
// target (then the directory is fsynced), so a crash never leaves a
// half-written file and a concurrent reader sees the old or the new file,
// never a mix. Saves to one path from several threads or processes never
// collide: each has its own temporary name, and the last rename wins.
//
// The target is `path`, or where its symlinks lead: the link is kept and
// the file it points to replaced. A replaced file's permission bits are
// kept; a new file gets 0666 less the umask. Temporary files of the target
// left by dead processes (killed mid-save) are removed.
//
// Returns an error message naming `path`, or "" on success.
std::string write_file_atomically(const std::string& path, const std::string& bytes, TempFile temp = TempFile::Unnamed);

}  // namespace nnc
