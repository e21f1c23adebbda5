#include "protocols/md5.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace qqgen::proto {
namespace {

[[noreturn]] void md5_failed(const char* step) {
    std::string msg = "MD5 via OpenSSL failed at ";
    msg += step;
    const unsigned long e = ERR_get_error();
    if (e != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        msg += ": ";
        msg += buf;
    }
    msg += " (is the OpenSSL default provider available? MD5 is not allowed in FIPS-only configurations)";
    throw std::runtime_error(msg);
}

struct md_ctx_free {
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};

}  // namespace

md5_digest md5(const_byte_span data) {
    md5_digest out{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, EVP_md5(),
                   nullptr) != 1 ||
        len != out.size())
        md5_failed("EVP_Digest");
    return out;
}

md5_digest md5(const_byte_span a, const_byte_span b) {
    std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx{EVP_MD_CTX_new()};
    if (!ctx) md5_failed("EVP_MD_CTX_new");
    md5_digest out{};
    unsigned int len = 0;
    if (EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1) md5_failed("EVP_DigestInit_ex");
    if (EVP_DigestUpdate(ctx.get(), a.data(), a.size()) != 1 || EVP_DigestUpdate(ctx.get(), b.data(), b.size()) != 1)
        md5_failed("EVP_DigestUpdate");
    if (EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len) != 1 || len != out.size())
        md5_failed("EVP_DigestFinal_ex");
    return out;
}

tea_key password_key(std::string_view password) {
    const md5_digest once = md5(as_bytes(password));
    return tea_key{md5(once)};
}

}  // namespace qqgen::proto
