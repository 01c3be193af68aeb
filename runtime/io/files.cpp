// Whole-file reads and atomic writes (see files.h).
#include "runtime/io/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string_view>

namespace nnc {

bool is_regular_file(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool read_whole_file(const std::string& path, std::string& out, std::string& error) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        error = "cannot read `" + path + "`: it is a directory";
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot read `" + path + "`: " + std::strerror(errno);
        return false;
    }
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
        error = "cannot read `" + path + "`";
        return false;
    }
    return true;
}

namespace {

constexpr int kMaxSymlinkHops = 40;   // as Linux allows in a path

// The file that writing to `path` replaces: `path` itself or, when it is a
// symlink, where its chain of links ends (which need not exist yet).
// nullopt with errno set for a chain of links that does not end.
std::optional<std::string> final_target(const std::string& path) {
    std::string target = path;
    for (int hop = 0; hop < kMaxSymlinkHops; ++hop) {
        struct stat st;
        if (::lstat(target.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return target;
        char link[PATH_MAX];
        const ssize_t n = ::readlink(target.c_str(), link, sizeof link);
        if (n < 0) return std::nullopt;
        if (size_t(n) == sizeof link) {
            errno = ENAMETOOLONG;
            return std::nullopt;
        }
        const std::filesystem::path next(std::string(link, size_t(n)));
        target = next.is_absolute() ? next.string() : (std::filesystem::path(target).parent_path() / next).string();
    }
    errno = ELOOP;
    return std::nullopt;
}

bool all_digits(std::string_view s, bool hex = false) {
    if (s.empty()) return false;
    for (char c : s)
        if (!(c >= '0' && c <= '9') && !(hex && c >= 'a' && c <= 'f')) return false;
    return true;
}

// A temporary file name for `target` that no other save uses: the pid
// (which tells later saves whether its writer still lives), a counter for
// the saves of this process and a random number for other hosts sharing
// the directory.
std::string unique_temp_name(const std::string& target) {
    static std::atomic<unsigned long long> saves{0};
    char suffix[64];
    std::snprintf(suffix, sizeof suffix, ".tmp-%ld-%llu-%08x", long(::getpid()), saves.fetch_add(1),
                  unsigned(std::random_device{}()));
    return target + suffix;
}

// The pid of the process that wrote `name` if it is a temporary file of
// `base` (`<base>.tmp-<pid>-<counter>-<random>`, or `<base>.tmp-<pid>` as
// versions before unique names wrote them), else 0.
pid_t temp_file_writer(std::string_view name, const std::string& base) {
    const std::string prefix = base + ".tmp-";
    if (!name.starts_with(prefix)) return 0;
    name.remove_prefix(prefix.size());
    const size_t pid_end = std::min(name.find('-'), name.size());
    const std::string_view pid = name.substr(0, pid_end);
    if (!all_digits(pid) || pid.size() > 9) return 0;
    if (pid_end < name.size()) {
        const std::string_view rest = name.substr(pid_end + 1);
        const size_t dash = rest.find('-');
        if (dash == std::string_view::npos || !all_digits(rest.substr(0, dash)) || !all_digits(rest.substr(dash + 1), true))
            return 0;
    }
    return pid_t(std::stol(std::string(pid)));
}

// Removes the temporary files of `base` in `dir` whose writer has died
// (killed while saving): nothing else will ever rename or remove them.
void remove_orphaned_temp_files(const std::string& dir, const std::string& base) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    while (const dirent* entry = ::readdir(d)) {
        const pid_t writer = temp_file_writer(entry->d_name, base);
        if (writer > 0 && ::kill(writer, 0) != 0 && errno == ESRCH) ::unlinkat(::dirfd(d), entry->d_name, 0);
    }
    ::closedir(d);
}

// Writes all of `bytes` to `fd`, sets the file's permission bits to
// `mode` when given, and flushes it to disk. Returns the step that failed
// ("cannot write", ...; errno set), or nullptr.
const char* write_and_flush(int fd, const std::string& bytes, std::optional<mode_t> mode) {
    for (size_t done = 0; done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return "cannot write";
        done += size_t(n);
    }
    if (mode && ::fchmod(fd, *mode) != 0) return "cannot set the permissions of";
    if (::fsync(fd) != 0) return "cannot flush";
    return nullptr;
}

// Closes `fd`, keeping errno.
void close_keeping_errno(int fd) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
}

}  // namespace

std::string write_file_atomically(const std::string& path, const std::string& bytes, TempFile temp) {
    auto failure = [&](const char* what) { return std::string(what) + " `" + path + "`: " + std::strerror(errno); };
    const std::optional<std::string> resolved = final_target(path);
    if (!resolved) return failure("cannot write");
    const std::string& target = *resolved;
    std::string dir = std::filesystem::path(target).parent_path().string();
    if (dir.empty()) dir = ".";
    remove_orphaned_temp_files(dir, std::filesystem::path(target).filename().string());

    // A replaced file keeps its permission bits: created with them (less the
    // umask, so never more open than they were), then set exactly.
    struct stat old;
    const bool replacing = ::stat(target.c_str(), &old) == 0;
    const mode_t mode = replacing ? old.st_mode & 0777 : 0666;
    const std::optional<mode_t> exact_mode = replacing ? std::optional<mode_t>(mode) : std::nullopt;
    const std::string temp_path = unique_temp_name(target);

    // Unnamed: the contents go to an O_TMPFILE file, linked under the
    // temporary name only once complete (linkat cannot replace the target,
    // so the rename still follows), and a save killed before then leaves
    // nothing. Where there is no O_TMPFILE, or no /proc to link it by, the
    // temporary file is named from the start.
    bool named = false;
    if (temp == TempFile::Unnamed) {
        const int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
        if (fd >= 0) {
            if (const char* what = write_and_flush(fd, bytes, exact_mode)) {
                close_keeping_errno(fd);
                return failure(what);
            }
            const std::string fd_path = "/proc/self/fd/" + std::to_string(fd);
            named = ::linkat(AT_FDCWD, fd_path.c_str(), AT_FDCWD, temp_path.c_str(), AT_SYMLINK_FOLLOW) == 0;
            ::close(fd);
        }
    }
    if (!named) {
        const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd < 0) return failure("cannot write");
        const char* what = write_and_flush(fd, bytes, exact_mode);
        if (what) close_keeping_errno(fd);
        else if (::close(fd) != 0) what = "cannot write";
        if (what) {
            std::string message = failure(what);
            ::unlink(temp_path.c_str());
            return message;
        }
    }
    if (::rename(temp_path.c_str(), target.c_str()) != 0) {
        std::string message = failure("cannot replace");
        ::unlink(temp_path.c_str());
        return message;
    }
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        ::fsync(dir_fd);   // best effort: the file itself is complete either way
        ::close(dir_fd);
    }
    return "";
}

}  // namespace nnc
