#include "control/report/svg_chart.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace qqgen::control {

namespace {

constexpr double width = 900, height = 280;
constexpr double left = 70, right = 180, top = 20, bottom = 40;  // plot margins; legend on the right
constexpr double plot_w = width - left - right, plot_h = height - top - bottom;

// Okabe-Ito colours: told apart also by colour-blind readers.
constexpr std::array<const char*, 8> palette{"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                             "#E69F00", "#56B4E9", "#000000", "#F0E442"};

std::string num(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", v);
    return b;
}

// A "nice" tick step (1, 2 or 5 times a power of ten) for about `ticks` ticks.
double nice_step(double span, int ticks) {
    if (!(span > 0)) return 1;
    const double raw = span / ticks;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

std::string time_label(double s) {
    char b[32];
    if (s < 120) std::snprintf(b, sizeof b, "%gs", std::round(s * 10) / 10);
    else if (s < 7200) std::snprintf(b, sizeof b, "%dm%02d", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
    else std::snprintf(b, sizeof b, "%dh%02d", static_cast<int>(s) / 3600, static_cast<int>(s) / 60 % 60);
    return b;
}

// A time step that lands on whole seconds, minutes or hours.
double time_step(double span) {
    static constexpr std::array<double, 16> steps{0.1, 0.2, 0.5, 1,   2,    5,    10,   15,
                                                  30,  60,  120, 300, 600, 1800, 3600, 7200};
    for (double s : steps)
        if (span / s <= 8) return s;
    return nice_step(span, 8);
}

}  // namespace

std::string html_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string si_number(double v) {
    char b[32];
    const double a = std::fabs(v);
    if (a >= 1e9) std::snprintf(b, sizeof b, "%.3gG", v / 1e9);
    else if (a >= 1e6) std::snprintf(b, sizeof b, "%.3gM", v / 1e6);
    else if (a >= 1e4) std::snprintf(b, sizeof b, "%.3gk", v / 1e3);
    else std::snprintf(b, sizeof b, "%.4g", v);
    return b;
}

line_chart downsampled(const line_chart& chart, std::size_t points) {
    if (points == 0 || chart.x.size() <= points) return chart;
    line_chart out = chart;
    const std::size_t n = chart.x.size();
    const std::size_t per = (n + points - 1) / points;
    out.x.clear();
    for (auto& s : out.series) s.y.clear();
    for (std::size_t from = 0; from < n; from += per) {
        const std::size_t to = std::min(n, from + per);
        out.x.push_back(chart.x[to - 1]);
        for (std::size_t k = 0; k < chart.series.size(); ++k) {
            double sum = 0;
            std::size_t count = 0;
            for (std::size_t i = from; i < to; ++i)
                if (!std::isnan(chart.series[k].y[i])) {
                    sum += chart.series[k].y[i];
                    ++count;
                }
            out.series[k].y.push_back(count == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / count);
        }
    }
    return out;
}

std::string render_line_chart(const line_chart& c) {
    double x_min = c.x.empty() ? 0 : c.x.front(), x_max = c.x.empty() ? 1 : c.x.back();
    if (x_max <= x_min) x_max = x_min + 1;
    double y_max = 0;
    std::vector<const chart_series*> drawn;
    std::vector<std::string> empty;
    for (const auto& s : c.series) {
        bool line = false;
        for (std::size_t i = 0; i < s.y.size(); ++i) {
            if (!std::isnan(s.y[i])) y_max = std::max(y_max, s.y[i]);
            if (i > 0 && !std::isnan(s.y[i]) && !std::isnan(s.y[i - 1])) line = true;
        }
        if (line) drawn.push_back(&s);
        else empty.push_back(s.name);
    }
    const double y_step = nice_step(y_max > 0 ? y_max : 1, 5);
    const double y_top = std::max(y_step, std::ceil(y_max / y_step) * y_step);
    const auto px = [&](double x) { return left + (x - x_min) / (x_max - x_min) * plot_w; };
    const auto py = [&](double y) { return top + plot_h - y / y_top * plot_h; };

    std::string svg = "<figure class=\"chart timeseries\" id=\"" + html_escape(c.id) + "\">\n";
    svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + num(width) + " " + num(height) +
           "\" width=\"" + num(width) + "\" height=\"" + num(height) + "\" role=\"img\" aria-label=\"" +
           html_escape(c.title) + "\">\n";
    svg += "<g class=\"axis y\">";
    for (double y = 0; y <= y_top * 1.0001; y += y_step) {
        svg += "<line x1=\"" + num(left) + "\" x2=\"" + num(left + plot_w) + "\" y1=\"" + num(py(y)) + "\" y2=\"" +
               num(py(y)) + "\" class=\"grid\"/>";
        svg += "<text x=\"" + num(left - 6) + "\" y=\"" + num(py(y) + 4) + "\" text-anchor=\"end\">" +
               si_number(y) + "</text>";
    }
    svg += "<text x=\"14\" y=\"" + num(top + plot_h / 2) + "\" transform=\"rotate(-90 14 " + num(top + plot_h / 2) +
           ")\" text-anchor=\"middle\">" + html_escape(c.y_unit) + "</text></g>\n";
    svg += "<g class=\"axis x\">";
    const double x_step = time_step(x_max - x_min);
    for (double x = std::ceil(x_min / x_step) * x_step; x <= x_max + 1e-9; x += x_step) {
        svg += "<line x1=\"" + num(px(x)) + "\" x2=\"" + num(px(x)) + "\" y1=\"" + num(top + plot_h) + "\" y2=\"" +
               num(top + plot_h + 5) + "\"/>";
        svg += "<text x=\"" + num(px(x)) + "\" y=\"" + num(top + plot_h + 18) + "\" text-anchor=\"middle\">" +
               time_label(x) + "</text>";
    }
    svg += "<line x1=\"" + num(left) + "\" x2=\"" + num(left + plot_w) + "\" y1=\"" + num(top + plot_h) +
           "\" y2=\"" + num(top + plot_h) + "\"/>";
    svg += "<text x=\"" + num(left + plot_w / 2) + "\" y=\"" + num(height - 4) +
           "\" text-anchor=\"middle\">time since start</text></g>\n";

    for (std::size_t k = 0; k < drawn.size(); ++k) {
        const chart_series& s = *drawn[k];
        const char* colour = palette[k % palette.size()];
        svg += "<g class=\"series\" data-name=\"" + html_escape(s.name) + "\" stroke=\"" + colour + "\" fill=\"" +
               colour + "\">";
        // One polyline per run of values; a lone value between gaps is a dot.
        std::size_t i = 0;
        while (i < s.y.size()) {
            if (std::isnan(s.y[i])) {
                ++i;
                continue;
            }
            std::size_t j = i;
            while (j < s.y.size() && !std::isnan(s.y[j])) ++j;
            if (j - i == 1) {
                svg += "<circle cx=\"" + num(px(c.x[i])) + "\" cy=\"" + num(py(s.y[i])) + "\" r=\"1.5\"><title>" +
                       html_escape(s.name) + " " + time_label(c.x[i]) + ": " + si_number(s.y[i]) + "</title></circle>";
            } else {
                svg += "<polyline fill=\"none\" stroke-width=\"1.5\"";
                if (s.dashed) svg += " stroke-dasharray=\"5 3\"";
                svg += " points=\"";
                for (std::size_t p = i; p < j; ++p) svg += num(px(c.x[p])) + "," + num(py(s.y[p])) + " ";
                svg.back() = '"';
                svg += "><title>" + html_escape(s.name) + "</title></polyline>";
            }
            i = j;
        }
        const double ly = top + 8 + static_cast<double>(k) * 18;
        svg += "<line x1=\"" + num(left + plot_w + 12) + "\" x2=\"" + num(left + plot_w + 32) + "\" y1=\"" + num(ly) +
               "\" y2=\"" + num(ly) + "\" stroke-width=\"3\"" + (s.dashed ? " stroke-dasharray=\"5 3\"" : "") + "/>";
        svg += "<text x=\"" + num(left + plot_w + 38) + "\" y=\"" + num(ly + 4) + "\" stroke=\"none\" fill=\"#222\">" +
               html_escape(s.name) + "</text></g>\n";
    }
    svg += "</svg>\n<figcaption>" + html_escape(c.title);
    if (!empty.empty()) {
        svg += " (no values:";
        for (const auto& n : empty) {
            svg += ' ';  // not `" " + name`: GCC 12's -Wrestrict false positive (PR 105329)
            svg += html_escape(n);
        }
        svg += ")";
    }
    svg += "</figcaption>\n</figure>\n";
    return svg;
}

std::string render_histogram(const histogram_chart& c) {
    std::uint64_t most = 1;
    for (const auto& b : c.bars) most = std::max(most, b.count);
    const double y_step = nice_step(static_cast<double>(most), 4);
    const double y_top = std::max(y_step, std::ceil(static_cast<double>(most) / y_step) * y_step);
    const double n = static_cast<double>(std::max<std::size_t>(c.bars.size(), 1));
    const double bar_w = plot_w / n;
    std::string svg = "<figure class=\"chart histogram\" id=\"" + html_escape(c.id) + "\">\n";
    svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + num(width) + " " + num(height) +
           "\" width=\"" + num(width) + "\" height=\"" + num(height) + "\" role=\"img\" aria-label=\"" +
           html_escape(c.title) + "\">\n<g class=\"axis y\">";
    for (double y = 0; y <= y_top * 1.0001; y += y_step) {
        const double yy = top + plot_h - y / y_top * plot_h;
        svg += "<line x1=\"" + num(left) + "\" x2=\"" + num(left + plot_w) + "\" y1=\"" + num(yy) + "\" y2=\"" +
               num(yy) + "\" class=\"grid\"/><text x=\"" + num(left - 6) + "\" y=\"" + num(yy + 4) +
               "\" text-anchor=\"end\">" + si_number(y) + "</text>";
    }
    svg += "<text x=\"14\" y=\"" + num(top + plot_h / 2) + "\" transform=\"rotate(-90 14 " + num(top + plot_h / 2) +
           ")\" text-anchor=\"middle\">samples</text></g>\n<g class=\"bars\" fill=\"#0072B2\">";
    for (std::size_t i = 0; i < c.bars.size(); ++i) {
        const auto& b = c.bars[i];
        const double h = static_cast<double>(b.count) / y_top * plot_h;
        svg += "<rect class=\"bar\" x=\"" + num(left + static_cast<double>(i) * bar_w + 0.5) + "\" y=\"" +
               num(top + plot_h - h) + "\" width=\"" + num(std::max(bar_w - 1, 0.5)) + "\" height=\"" + num(h) +
               "\"><title>" + si_number(b.low) + ".." + si_number(b.high) + " " + html_escape(c.x_unit) + ": " +
               std::to_string(b.count) + "</title></rect>";
    }
    svg += "</g>\n<g class=\"axis x\">";
    const std::size_t label_every = std::max<std::size_t>(1, c.bars.size() / 8);
    for (std::size_t i = 0; i < c.bars.size(); i += label_every)
        svg += "<text x=\"" + num(left + static_cast<double>(i) * bar_w) + "\" y=\"" + num(top + plot_h + 18) +
               "\" text-anchor=\"middle\">" + si_number(c.bars[i].low) + "</text>";
    svg += "<line x1=\"" + num(left) + "\" x2=\"" + num(left + plot_w) + "\" y1=\"" + num(top + plot_h) + "\" y2=\"" +
           num(top + plot_h) + "\"/><text x=\"" + num(left + plot_w / 2) + "\" y=\"" + num(height - 4) +
           "\" text-anchor=\"middle\">" + html_escape(c.x_unit) + " (log-linear buckets)</text></g>\n";
    svg += "</svg>\n<figcaption>" + html_escape(c.title) + "</figcaption>\n</figure>\n";
    return svg;
}

}  // namespace qqgen::control
