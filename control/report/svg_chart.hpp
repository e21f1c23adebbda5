// Charts for report.html as inline SVG, made here rather than by a charting
// library in the browser: the report must open anywhere with no network
// (a DUT vendor's mail, an air-gapped lab), with scripts disabled, and look
// the same every time; and the numbers drawn are the numbers in
// report.json, with no second implementation of scales in JavaScript. A
// point's value shows as its <title> on hover.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qqgen::control {

struct chart_series {
    std::string name;
    std::vector<double> y;  // one per x; NaN: no value (a gap in the line)
    bool dashed = false;
};

struct line_chart {
    std::string id;       // the figure's id, "chart-rates"
    std::string title;    // the caption
    std::string y_unit;   // "frames/s", "ms", ...
    std::vector<double> x;  // seconds since the start, increasing
    std::vector<chart_series> series;
};

struct histogram_bar {
    double low = 0, high = 0;  // the bucket's edges (x_unit)
    std::uint64_t count = 0;
};

struct histogram_chart {
    std::string id, title, x_unit;
    std::vector<histogram_bar> bars;
};

// <figure class="chart timeseries" id=...> with one <g class="series"> per
// series that has a line to draw; series with no two consecutive values are
// left out (named in the caption).
std::string render_line_chart(const line_chart& chart);
// <figure class="chart histogram" id=...> with a <rect class="bar"> per bar.
std::string render_histogram(const histogram_chart& chart);

// At most `points` points: consecutive samples averaged (NaN-aware), so an
// eight-hour soak sampled every second still draws quickly.
line_chart downsampled(const line_chart& chart, std::size_t points);

// Text safe inside HTML/SVG elements and attributes.
std::string html_escape(const std::string& s);
// 1234567 -> "1.23M"; 0.5 -> "0.5".
std::string si_number(double v);

}  // namespace qqgen::control
