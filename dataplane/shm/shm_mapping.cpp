#include "dataplane/shm/shm_mapping.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataplane/shm/shm_abi.hpp"

namespace qqgen::shm {
namespace {

std::string path_of(const std::string& name) {
    return std::string(shm_directory) + name;
}

open_result fail(const std::string& name, const char* step, int err) {
    open_result r;
    r.error = err;
    r.message = std::string(step) + " " + path_of(name) + ": " + std::strerror(err);
    if (err == EACCES) r.message += " (segments are mode 0600: run as the user that started the dataplane)";
    return r;
}

}  // namespace

mapping& mapping::operator=(mapping&& o) noexcept {
    if (this != &o) {
        reset();
        data_ = std::exchange(o.data_, nullptr);
        size_ = std::exchange(o.size_, 0);
        fd_ = std::exchange(o.fd_, -1);
        dev_ = o.dev_;
        ino_ = o.ino_;
    }
    return *this;
}

void mapping::reset() noexcept {
    if (data_ != nullptr) ::munmap(data_, size_);
    if (fd_ >= 0) ::close(fd_);
    data_ = nullptr;
    size_ = 0;
    fd_ = -1;
}

open_result mapping::open_existing(const std::string& name) {
    const int fd = ::shm_open(name.c_str(), O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) return fail(name, "cannot open", errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return fail(name, "cannot stat", err);
    }
    open_result r;
    r.map.fd_ = fd;
    r.map.dev_ = st.st_dev;
    r.map.ino_ = st.st_ino;
    if (st.st_size == 0) return r;  // nothing to map: the caller says it is too small
    void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return fail(name, "cannot map", errno);  // r.map closes fd
    r.map.data_ = static_cast<std::byte*>(p);
    r.map.size_ = static_cast<std::size_t>(st.st_size);
    return r;
}

open_result mapping::create_new(const std::string& name, std::size_t size) {
    const int fd = ::shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) return fail(name, "cannot create", errno);
    open_result r;
    r.map.fd_ = fd;
    struct stat st {};
    ::fstat(fd, &st);
    r.map.dev_ = st.st_dev;
    r.map.ino_ = st.st_ino;
    // posix_fallocate returns the error instead of setting errno.
    if (const int err = ::posix_fallocate(fd, 0, static_cast<off_t>(size)); err != 0) {
        r.map.unlink_if_same(name);
        return fail(name, "cannot reserve space for", err);
    }
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        const int err = errno;
        r.map.unlink_if_same(name);
        return fail(name, "cannot map", err);
    }
    r.map.data_ = static_cast<std::byte*>(p);
    r.map.size_ = size;
    return r;
}

int mapping::unlink_if_same(const std::string& name) const noexcept {
    if (fd_ < 0) return EBADF;
    const int fd = ::shm_open(name.c_str(), O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return errno;
    struct stat st {};
    const bool same = ::fstat(fd, &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_;
    ::close(fd);
    if (!same) return ESTALE;
    return ::shm_unlink(name.c_str()) == 0 ? 0 : errno;
}

std::vector<std::string> list_instances() {
    std::vector<std::string> out;
    const std::string prefix(segment_prefix.substr(1));  // "qqgen."
    std::error_code ec;
    // increment(ec), not a range-for: the listing must not throw.
    for (std::filesystem::directory_iterator it(std::string(shm_directory), ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string f = it->path().filename().string();
        if (f.size() > prefix.size() && f.compare(0, prefix.size(), prefix) == 0)
            out.push_back(f.substr(prefix.size()));
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace qqgen::shm
