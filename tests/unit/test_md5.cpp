// MD5 against the RFC 1321 appendix A.5 test suite, the two-part form and
// the QQ password key.
#include <catch2/catch.hpp>

#include <string>

#include "protocols/md5.hpp"

using namespace qqgen::proto;

namespace {

std::string hex(const md5_digest& d) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (std::byte b : d) {
        s += digits[std::to_integer<unsigned>(b) >> 4];
        s += digits[std::to_integer<unsigned>(b) & 15];
    }
    return s;
}

}  // namespace

TEST_CASE("md5 RFC 1321 test suite", "[md5]") {
    CHECK(hex(md5(as_bytes(""))) == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(hex(md5(as_bytes("a"))) == "0cc175b9c0f1b6a831c399e269772661");
    CHECK(hex(md5(as_bytes("abc"))) == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(hex(md5(as_bytes("message digest"))) == "f96b697d7cb7938d525a2f31aaf161d0");
    CHECK(hex(md5(as_bytes("abcdefghijklmnopqrstuvwxyz"))) == "c3fcd3d76192e4007dfb496cca67e13b");
    CHECK(hex(md5(as_bytes("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))) ==
          "d174ab98d277d9f5a5611c2c9f419d9f");
    CHECK(hex(md5(as_bytes("12345678901234567890123456789012345678901234567890123456789012345678901234567890"))) ==
          "57edf4a22be3c955ac49da2e2107b67a");
}

TEST_CASE("md5 of two parts equals md5 of their concatenation", "[md5]") {
    const std::string a = "uid:", b = "0123456789abcdef-session";
    CHECK(md5(as_bytes(a), as_bytes(b)) == md5(as_bytes(a + b)));
    CHECK(md5(as_bytes(""), as_bytes("abc")) == md5(as_bytes("abc")));
    CHECK(md5(as_bytes("abc"), as_bytes("")) == md5(as_bytes("abc")));
}

TEST_CASE("password key is MD5(MD5(password))", "[md5]") {
    const md5_digest once = md5(as_bytes("python"));
    CHECK(password_key("python").bytes == md5(once));
    // testdata/qq_tea_kat.txt: key of the password "python".
    CHECK(hex(password_key("python").bytes) == "fb707f74cb143a2337d5af8efab84aa7");
    CHECK(password_key("python") != password_key("Python"));
}
