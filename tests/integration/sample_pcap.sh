#!/usr/bin/env bash
# qqgen sample, checked by tshark and ndpiReader, in every charset and both
# dialects; same seed gives a byte-identical pcap, another seed does not.
set -euo pipefail
qqgen=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

users=6
for charset in gbk gb18030 big5 utf-8; do
  "$qqgen" sample --users $users --messages 7 --charset "$charset" --out "$work/$charset.pcap" \
    --keylog "$work/$charset.keys" >/dev/null
  # Every user: one flow to the redirecting server, one to the accepting server.
  "$here/check_capture.sh" "$work/$charset.pcap" $((users * 2))
  [ "$(wc -l <"$work/$charset.keys")" -eq $((users * 2)) ] || { echo "key log lines wrong"; exit 1; }
done

# Fonts and styles.
for font in simsun yahei simhei kaiti mingliu tahoma 微软雅黑; do
  "$qqgen" sample --users 2 --messages 3 --font "$font" --bold --italic --underline --color ff8000 \
    --font-size 12 --out "$work/font.pcap" >/dev/null
  "$here/check_capture.sh" "$work/font.pcap" 4 >/dev/null
done

# The classic dialect is pidgin 2.4 byte for byte: tshark still sees OICQ
# everywhere (nDPI 4.2 has no rule for it, see qq-protocol.md).
"$qqgen" sample --users 2 --dialect classic --out "$work/classic.pcap" >/dev/null
n_oicq=$(tshark -n -r "$work/classic.pcap" -Y oicq 2>/dev/null | wc -l)
n_udp8000=$(tshark -n -r "$work/classic.pcap" -Y 'udp.port == 8000' 2>/dev/null | wc -l)
[ "$n_oicq" -gt 0 ] && [ "$n_oicq" -eq "$n_udp8000" ] || { echo "classic: $n_oicq OICQ of $n_udp8000"; exit 1; }
first=$(tshark -n -r "$work/classic.pcap" -Y 'oicq' -T fields -e data -e oicq.version 2>/dev/null | head -n 1)
grep -q 0x0d55 <<<"$first" || grep -q 3413 <<<"$first" || { echo "classic version not 0x0D55: $first"; exit 1; }

# Reproducible: same seed, same bytes; another seed, other bytes.
"$qqgen" sample --users 3 --seed 42 --out "$work/a.pcap" >/dev/null
"$qqgen" sample --users 3 --seed 42 --out "$work/b.pcap" >/dev/null
"$qqgen" sample --users 3 --seed 43 --out "$work/c.pcap" >/dev/null
cmp -s "$work/a.pcap" "$work/b.pcap" || { echo "same seed gave different pcaps"; exit 1; }
! cmp -s "$work/a.pcap" "$work/c.pcap" || { echo "different seeds gave the same pcap"; exit 1; }

# Bad input is refused with a message naming the option, and exit code 2.
for bad in "--charset koi8" "--font comic" "--users 0" "--color xyz" "--dialect new" "--font-size 40" "--users -1"; do
  set +e; msg=$("$qqgen" sample $bad --out "$work/bad.pcap" 2>&1); rc=$?; set -e
  opt=${bad%% *}
  [ $rc -eq 2 ] || { echo "'$bad' exit $rc, expected 2: $msg"; exit 1; }
  grep -q -- "${opt#--}" <<<"$msg" || { echo "'$bad' message does not name the option: $msg"; exit 1; }
done
echo "sample_pcap: ok"
