// Whole-file reads and atomic writes (see files.h).
#include "runtime/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace nnc {

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

std::string write_file_atomically(const std::string& path, const std::string& bytes) {
    std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    auto err = [&](const std::string& what) { return what + " `" + path + "`: " + std::strerror(errno); };
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return err("cannot write");
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            std::string m = err("cannot write");
            ::close(fd);
            ::unlink(tmp.c_str());
            return m;
        }
        done += size_t(n);
    }
    if (::fsync(fd) != 0) {
        std::string m = err("cannot flush");
        ::close(fd);
        ::unlink(tmp.c_str());
        return m;
    }
    if (::close(fd) != 0) {
        std::string m = err("cannot write");
        ::unlink(tmp.c_str());
        return m;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string m = err("cannot replace");
        ::unlink(tmp.c_str());
        return m;
    }
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) dir = ".";
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);   // best effort: the file itself is complete either way
        ::close(dfd);
    }
    return "";
}

}  // namespace nnc
