// The shipped chat corpus and the prepared (pre-converted) text table.
//
// The lines are invented for qqgen: everyday chat of the QQ2005-2009 era
// (greetings, plans, work, complaints), from two characters up to ~200 bytes,
// plus one line of 500+ bytes per language (in its legacy charset) for
// message-size tests. Mixed lines are Chinese + English + digits + smileys and
// use only characters that both GBK and Big5 hold (shared or traditional
// forms), so they can be sent by clients of either script.
//
// Smiley codes used below, with pidgin 2.4's names for them (char_conv.c,
// qq_smiley_map / purple_smiley_map): 0x49 /shui (sleep), 0x4a /dk (cry),
// 0x4b /gg (awkward), 0x4f /wx (smile), 0x65 /xin (heart), 0x6f /qiang
// (thumbs up), 0x81 /fan (rice), 0x8a /tx (snicker), 0x90 /fendou (fight on).
//
// The literals are UTF-8: GCC's default execution charset. The static_assert
// below stops a build that would store them otherwise.
#include "protocols/text_corpus.hpp"

#include <algorithm>
#include <limits>

namespace qqgen::proto {

namespace {

static_assert(std::string_view("中").size() == 3 && std::string_view("中")[0] == '\xE4',
              "text_corpus.cpp must be compiled with a UTF-8 execution charset (-fexec-charset=UTF-8)");

constexpr std::string_view simplified_lines[] = {
    "在吗？",
    "好的",
    "收到，谢谢！",
    "哈哈哈哈{smiley:8a}",
    "晚安{smiley:49}",
    "晚上一起吃饭吧，老地方见。",
    "明天的会议改到下午三点了，记得通知一下小王。",
    "这个周末有空吗？想约你去爬山。",
    "我刚下班，路上有点堵车，估计还要半个小时才能到，你们先点菜吧。",
    "你那边天气怎么样？我们这里下了一整天的雨，冷死了。",
    "文件我已经发到你邮箱了，看完给我回个话。",
    "刚才掉线了，你最后那句话没看到，再发一遍好吗？",
    "妈说过年早点回家，车票买了没有？要不要我帮你在网上抢一张？",
    "生日快乐！{smiley:65}{smiley:65}祝你天天开心，工作顺利，越来越漂亮！",
    "服务器又挂了，运维那边说是机房断电，具体什么时候恢复还不知道，今天的上线只能往后推了，"
    "大家先别急着提交代码。",
    "下周一交报告，第三部分的数据还差一点，今晚我加个班把图表做完，明天上午发给你看看有没有问题。",
    "跟你说件事，昨天下午我去银行办业务，排了将近两个小时的队，结果轮到我的时候柜员说系统升级，"
    "只能办存取款，其他业务一律明天再来。我当时就火了，跟她理论了半天，她也挺无奈的，"
    "说是总行统一安排的，她们也是早上才接到通知。后来大堂经理过来道歉，还送了我一把伞，"
    "说下次来可以直接找他，不用排队。回家路上又碰上下大雨，幸亏有那把伞，不然肯定淋成落汤鸡。"
    "今天早上我又去了一趟，这次倒是挺快的，二十分钟就办完了。你说现在办点事怎么就这么难呢？对了，"
    "你上次说的那个理财产品，我问了一下，收益确实不错，但是要锁定三年，我有点犹豫，"
    "你觉得值得买吗？",
};

constexpr std::string_view traditional_lines[] = {
    "在嗎？",
    "好啊",
    "收到，謝謝！",
    "哈哈哈{smiley:8a}",
    "晚安囉{smiley:49}",
    "今天晚上要不要一起去逛夜市？",
    "我剛下課，等一下就過去找你。",
    "報告寫完了沒？明天早上就要交了耶。",
    "這家的牛肉麵真的超好吃，下次帶你去吃。",
    "颱風快來了，記得把陽台的東西收進來，窗戶也要關好。",
    "你的電腦修好了嗎？我認識一個很會修電腦的朋友，需要的話可以介紹給你。",
    "週末我們幾個要去墾丁玩，你要不要一起來？機票我已經幫大家查好了。",
    "生日快樂！{smiley:65}祝你心想事成，永遠年輕漂亮！",
    "剛剛老闆在會議上說下個月開始每個人都要輪流值班，連假日也不例外，大家聽了臉都綠了，"
    "你們部門有沒有接到通知？",
    "我媽說過年要回鄉下拜年，初二才回來，所以我們的聚會可能要改到初三以後，"
    "你再幫我問問其他人哪天比較方便。",
    "捷運站附近新開了一家咖啡店，環境很舒服，適合看書，改天約你去坐坐。",
    "跟你講一件很誇張的事，昨天我搭公車回家，司機開到一半突然停下來，說車子有問題不能再開了，"
    "要大家下車等下一班。結果我們在路邊等了快一個小時，下一班車來的時候已經擠滿了人，根本上不去。"
    "我只好走路到捷運站，偏偏又遇到下大雨，我又沒帶傘，整個人淋得像落湯雞一樣。"
    "到家的時候已經快十點了，晚餐也沒吃，累得直接倒在床上睡著了。今天早上起來就覺得頭很痛，"
    "喉嚨也怪怪的，大概是感冒了，只好請假在家休息。你最近也要多注意身體喔，天氣變化這麼大，"
    "出門記得帶件外套，有空的話我們再約出來吃個飯聊聊天吧。對了，上次借你的那本書看完了嗎？不急，"
    "慢慢看就好。",
};

constexpr std::string_view english_lines[] = {
    "hi",
    "ok",
    "brb",
    "lol {smiley:8a}",
    "good night {smiley:49}",
    "are you there?",
    "thanks, got it!",
    "see you at 7 tonight",
    "did you get the file I sent this morning?",
    "sorry, my connection dropped. what was the last thing you said?",
    "the meeting moved to 3pm tomorrow, can you tell the others?",
    "happy birthday!!! {smiley:65} hope you have a great day",
    "I'm stuck in traffic on the ring road, probably 30 more minutes. order without me, I'll "
    "have whatever you're having.",
    "the server went down again around midnight and nobody noticed until the morning shift came "
    "in. we lost about six hours of logs, so please double check your numbers before you send "
    "the weekly report.",
    "Long story, but here it is: yesterday I went to the bank to sort out the transfer for the "
    "apartment deposit. I waited almost two hours in line, and when it was finally my turn the "
    "clerk told me their system was being upgraded and they could only do cash deposits and "
    "withdrawals. I asked to see the manager, who was very apologetic and said head office had "
    "only told them that morning. He gave me his card and said to come straight to him next "
    "time. So I went back this morning and it took twenty minutes. Anyway, the deposit is paid, "
    "the landlord confirmed, and we can move in on the 15th. Can you let everyone know?",
};

constexpr std::string_view mixed_lines[] = {
    "ok啦",
    "3Q哦{smiley:4f}",
    "在office，等下call你",
    "明天上午10:30 meeting，不要忘了{smiley:4b}",
    "我的QQ號是12345678，加我吧",
    "今天的PPT做好了，等一下email給你",
    "晚上8:00一起打CS？{smiley:90}",
    "密碼是abc123，登入後記得改掉",
    "剛下載了一個MP3，50MB，你要的話我傳給你",
    "老闆說project的deadline提前到Friday，大家加油{smiley:6f}{smiley:6f}",
    "我在用Windows XP，QQ2005版本，你的是哪個版本？",
    "那個bug我找到了，是第256行的index寫錯，fix好了再commit一次",
    "網速好慢，下載一個100MB的file要20分鐘{smiley:4a}",
    "剛剛在網上買了一個USB隨身碟，16GB才99塊，明天就到貨，你要的話我幫你也買一個",
    "週六下午2點在電影院門口見，記得帶票，我們一起去看Harry Potter{smiley:8a}",
    "我先下線了，明天9點再上QQ找你，bye bye",
    "跟大家update一下進度：第一，server的問題已經解決，是config檔裡面的port寫錯了，"
    "應該是8000不是8080；第二，client的新版本今天下午3點會release，版本號是2.4.1，"
    "請大家記得更新；第三，下週一早上10點在301會議室開review meeting，每個人準備10分鐘的demo，"
    "有問題的話在QQ群裡面說。另外提醒一下，這個月的timesheet要在30號之前填好，不然HR那邊會催。"
    "還有，新來的兩位同事Kevin和小林下週開始上班，座位安排在5樓靠窗那邊，"
    "電腦和帳號IT會在週五前準備好，麻煩各組的leader帶他們熟悉一下環境和流程。最後，"
    "謝謝大家這段時間的辛苦，project結束後我請大家吃飯{smiley:81}{smiley:6f}",
};

char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

std::string suited_languages(charset cs) {
    std::string r;
    for (corpus_language l : all_corpus_languages) {
        if (!language_suits(l, cs)) continue;
        if (!r.empty()) r += ", ";
        r += to_string(l);
    }
    return r;
}

}  // namespace

std::optional<corpus_language> parse_corpus_language(std::string_view name) noexcept {
    for (corpus_language l : all_corpus_languages)
        if (iequals(name, to_string(l))) return l;
    return std::nullopt;
}

std::span<const std::string_view> corpus_lines(corpus_language l) noexcept {
    switch (l) {
    case corpus_language::simplified: return simplified_lines;
    case corpus_language::traditional: return traditional_lines;
    case corpus_language::english: return english_lines;
    case corpus_language::mixed: return mixed_lines;
    }
    return english_lines;
}

prepare_result prepare_texts(charset cs, std::span<const tagged_line> lines) {
    prepare_result r;
    prepared_texts& t = r.table;
    t.target_ = cs;
    std::array<bool, all_corpus_languages.size()> seen{};
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const tagged_line& in = lines[i];
        const std::string_view lang = to_string(in.language);
        seen[static_cast<std::size_t>(in.language)] = true;
        auto skip = [&](const std::string& why) {
            if (t.skipped_++ == 0)
                t.first_skip_reason_ = "line " + std::to_string(i) + " (" + std::string(lang) + "): " + why;
        };
        if (in.utf8.empty()) {
            skip("empty line");
            continue;
        }
        encoded_text e = encode_text(in.utf8, cs);
        if (!e.ok()) {
            if (e.error.code == charset_errc::iconv_unavailable) {  // no line can succeed: say so once
                r.error = e.error.message;
                r.table = prepared_texts{};
                return r;
            }
            skip(e.error.message);
            continue;
        }
        if (t.arena_.size() + e.bytes.size() > std::numeric_limits<std::uint32_t>::max()) {
            r.error = "text table for " + std::string(to_string(cs)) +
                      " exceeds 4 GiB at line " + std::to_string(i) + "; use fewer or shorter lines";
            r.table = prepared_texts{};
            return r;
        }
        t.arena_.insert(t.arena_.end(), e.bytes.begin(), e.bytes.end());
        t.offsets_.push_back(static_cast<std::uint32_t>(t.arena_.size()));
        t.languages_.push_back(in.language);
        t.max_line_size_ = std::max(t.max_line_size_, e.bytes.size());
    }
    if (t.empty()) {
        if (lines.empty()) {
            r.error = "no text lines to prepare for charset " + std::string(to_string(cs)) +
                      ": select at least one corpus language";
        } else {
            std::string languages_seen;
            for (corpus_language l : all_corpus_languages) {
                if (!seen[static_cast<std::size_t>(l)]) continue;
                if (!languages_seen.empty()) languages_seen += ", ";
                languages_seen += to_string(l);
            }
            r.error = "none of the " + std::to_string(lines.size()) + " text lines (" + languages_seen +
                      ") can be written in " + std::string(to_string(cs)) + "; first refusal: " +
                      t.first_skip_reason_ + ". Languages that suit " + std::string(to_string(cs)) + ": " +
                      suited_languages(cs);
        }
        r.table = prepared_texts{};
    }
    return r;
}

prepare_result prepare_texts(charset cs, std::span<const corpus_language> languages) {
    std::vector<tagged_line> lines;
    for (corpus_language l : all_corpus_languages) {
        if (std::find(languages.begin(), languages.end(), l) == languages.end()) continue;
        for (std::string_view s : corpus_lines(l)) lines.push_back(tagged_line{s, l});
    }
    return prepare_texts(cs, std::span<const tagged_line>(lines));
}

}  // namespace qqgen::proto
