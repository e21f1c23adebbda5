// YAML scalars read strictly: yaml-cpp's own conversions accept "1e3" as an
// int, wrap "-1" into unsigned and take "yes" for true only sometimes, so the
// profile reader parses the scalar text itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace qqgen::control {

// Decimal, or hexadecimal with 0x (client versions are written 0x0D55);
// '_' may separate digits (1_000_000). No sign.
std::optional<std::uint64_t> parse_unsigned(std::string_view text) noexcept;

// A finite decimal number, optionally signed ("20", "2.5", "-1").
std::optional<double> parse_number(std::string_view text) noexcept;

// A size in bytes: a plain integer (as parse_unsigned), or a number and a
// unit: B, KB (1000), MB (1000000), KiB (1024), MiB (1048576); fractions
// allowed when the result is whole bytes ("1.5KB"), no space, units
// case-sensitive except the B ("20kb" is refused: kb reads as kilobits).
std::optional<std::uint64_t> parse_size_bytes(std::string_view text) noexcept;

// true/false, yes/no, on/off (YAML 1.1's words, which people still write),
// case-insensitive.
std::optional<bool> parse_bool(std::string_view text) noexcept;

}  // namespace qqgen::control
