#include "protocols/md5.hpp"

// OpenSSL 3 marks the low-level MD5 functions deprecated in favour of EVP, but
// keeps them (they are what its own "MD5" provider runs). They are used here
// on purpose: on this machine's OpenSSL 3.0 an EVP_Digest call costs ~570 ns
// for a 16-byte input, with 3 heap allocations and the provider store's
// read-write lock taken; even a reused EVP_MD_CTX allocates once per digest
// (EVP_DigestInit_ex2 makes a new provider context). MD5_Init/Update/Final
// work on a context on the stack: ~110 ns, no allocation, no lock, and they
// cannot fail. Logins run on the dataplane's hot path (issue 6: a login
// derives the password key several times), where neither is allowed.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>

namespace qqgen::proto {

static_assert(MD5_DIGEST_LENGTH == std::tuple_size_v<md5_digest>);

md5_digest md5(const_byte_span a, const_byte_span b) noexcept {
    MD5_CTX ctx;
    MD5_Init(&ctx);
    MD5_Update(&ctx, a.data(), a.size());
    MD5_Update(&ctx, b.data(), b.size());
    md5_digest out;
    MD5_Final(reinterpret_cast<unsigned char*>(out.data()), &ctx);
    return out;
}

md5_digest md5(const_byte_span data) noexcept {
    return md5(data, {});
}

tea_key password_key(std::string_view password) noexcept {
    const md5_digest once = md5(as_bytes(password));
    return tea_key{md5(once)};
}

}  // namespace qqgen::proto
