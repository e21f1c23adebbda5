// A named POSIX shared-memory segment mapped into this process: opened or
// created, unmapped and closed by the destructor. Both sides use it; only
// the dataplane's segment (and control's clean_stale) unlink names, and only
// when the name still refers to the file they mapped, so a segment created
// since by someone else is never removed by mistake.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace qqgen::shm {

class mapping;

// A mapping, or errno and a message naming the file and the cause.
struct open_result;

class mapping {
public:
    mapping() = default;
    mapping(const mapping&) = delete;
    mapping& operator=(const mapping&) = delete;
    mapping(mapping&& o) noexcept { *this = std::move(o); }
    mapping& operator=(mapping&& o) noexcept;
    ~mapping() { reset(); }

    // shm_open(name, O_RDWR) and map all of it.
    static open_result open_existing(const std::string& name);
    // shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600), reserve `size` bytes
    // (posix_fallocate: a full /dev/shm fails here, not later with SIGBUS)
    // and map them zeroed. error == EEXIST when the name is taken.
    static open_result create_new(const std::string& name, std::size_t size);

    std::byte* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    explicit operator bool() const noexcept { return data_ != nullptr; }
    void reset() noexcept;

    // shm_unlink(name) if name still refers to this mapping's file: 0 when
    // unlinked, ENOENT when the name is gone, ESTALE when it names another
    // file now, else the errno of the failure.
    int unlink_if_same(const std::string& name) const noexcept;

private:
    std::byte* data_ = nullptr;
    std::size_t size_ = 0;
    int fd_ = -1;
    dev_t dev_ = 0;
    ino_t ino_ = 0;
};

struct open_result {
    mapping map;
    int error = 0;  // errno of the step that failed; 0 on success
    std::string message;
};

// The instances that have a segment now: /dev/shm/qqgen.<instance>, sorted.
std::vector<std::string> list_instances();

}  // namespace qqgen::shm
