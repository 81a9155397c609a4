#include "core/course/timeline.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "core/course/assessment.h"

namespace isocourse::course {

std::string EventLabel(const Timeline& timeline, size_t index) {
  std::string out = "events[" + std::to_string(index) + "]";
  if (index < timeline.events.size() && !timeline.events[index].id.empty()) {
    out += " (id " + timeline.events[index].id.value() + ")";
  }
  return out;
}

std::string_view StatusColour(TaskStatus s) {
  switch (s) {
    case TaskStatus::kOnTrack:
      return "green";
    case TaskStatus::kDueSoon:
      return "amber";
    case TaskStatus::kOverdue:
      return "red";
    case TaskStatus::kBlocked:
      return "grey";
    case TaskStatus::kPaused:
      return "blue";
    case TaskStatus::kDone:
    case TaskStatus::kCancelled:
      return "none";
  }
  return "none";
}

Result<ResolvedTimeline> ResolveCorrections(const Timeline& timeline) {
  ResolvedTimeline out;
  ISO_RETURN_IF_ERROR(ResolveCorrectionsInto(timeline, out));
  return out;
}

Status ResolveCorrectionsInto(const Timeline& timeline, ResolvedTimeline& out) {
  const auto& ev = timeline.events;
  const size_t n = ev.size();
  out.source = &timeline;
  out.events.clear();
  out.superseded.clear();

  // One pass for what decides the work below: any corrections, whether the events are
  // already in date order, and their date range (for the sort).
  bool any_correction = false;
  bool in_date_order = true;
  int lo = std::numeric_limits<int>::max(), hi = std::numeric_limits<int>::min();
  for (size_t i = 0; i < n; ++i) {
    const Event& e = ev[i];
    any_correction |= e.corrects.has_value();
    const int day = e.date.days_since_epoch();
    if (i > 0 && e.date < ev[i - 1].date) in_date_order = false;
    lo = std::min(lo, day);
    hi = std::max(hi, day);
  }

  // Ids in an open-addressing table: one allocation, no per-id nodes.
  size_t cap = 16;
  while (cap < n * 2) cap <<= 1;
  // Scratch table reused across calls on this thread.
  thread_local std::vector<int> slots;
  slots.assign(cap, -1);
  // Ids are short ("e12", "rx-3"): a few overlapping word loads, no per-byte loop.
  auto hash = [](std::string_view v) {
    auto load32 = [&](size_t at) {
      std::uint32_t w;
      std::memcpy(&w, v.data() + at, 4);
      return static_cast<std::uint64_t>(w);
    };
    auto load64 = [&](size_t at) {
      std::uint64_t w;
      std::memcpy(&w, v.data() + at, 8);
      return w;
    };
    const size_t len = v.size();
    std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ len;
    if (len >= 8) {
      size_t i = 0;
      for (; i + 8 < len; i += 8) {
        h = (h ^ load64(i)) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 32;
      }
      h = (h ^ load64(len - 8)) * 0xFF51AFD7ED558CCDULL;
    } else if (len >= 4) {
      h = (h ^ (load32(0) | (load32(len - 4) << 32))) * 0xFF51AFD7ED558CCDULL;
    } else if (len > 0) {
      const auto b = [&](size_t at) {
        return static_cast<std::uint64_t>(static_cast<unsigned char>(v[at]));
      };
      h = (h ^ (b(0) | (b(len / 2) << 8) | (b(len - 1) << 16))) * 0xFF51AFD7ED558CCDULL;
    }
    h ^= h >> 29;
    h *= 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 32;
    return static_cast<size_t>(h);
  };
  auto find = [&](std::string_view id) -> int {
    for (size_t i = hash(id) & (cap - 1);; i = (i + 1) & (cap - 1)) {
      if (slots[i] < 0) return -1;
      if (ev[static_cast<size_t>(slots[i])].id.value() == id) return slots[i];
    }
  };
  for (size_t i = 0; i < n; ++i) {
    if (ev[i].id.empty()) {
      return InvalidArgument(EventLabel(timeline, i) + ".id", "every event needs an id");
    }
    const std::string_view id = ev[i].id.value();
    size_t pos = hash(id) & (cap - 1);
    while (slots[pos] >= 0) {
      if (ev[static_cast<size_t>(slots[pos])].id.value() == id) {
        return InvalidArgument(EventLabel(timeline, i) + ".id",
                               "duplicate id; " +
                                   EventLabel(timeline, static_cast<size_t>(slots[pos])) +
                                   " has the same id (ids must be unique)");
      }
      pos = (pos + 1) & (cap - 1);
    }
    slots[pos] = static_cast<int>(i);
  }

  if (!any_correction) {
    out.events.reserve(n);
    for (const Event& e : ev) out.events.push_back(&e);
  } else {
    constexpr size_t kNone = static_cast<size_t>(-1);
    std::vector<size_t> target(n, kNone);        // what event i corrects
    std::vector<size_t> corrected_by(n, kNone);  // who corrects event i
    for (size_t i = 0; i < n; ++i) {
      if (!ev[i].corrects) continue;
      const std::string where = EventLabel(timeline, i) + ".corrects";
      const int found = find(ev[i].corrects->value());
      if (found < 0) {
        return InvalidArgument(
            where, "corrects '" + ev[i].corrects->value() + "', but no event has that id");
      }
      const size_t t = static_cast<size_t>(found);
      if (t == i) return InvalidArgument(where, "an event cannot correct itself");
      const bool retraction = ev[i].As<EnteredInErrorEvent>() != nullptr;
      if (ev[t].As<EnteredInErrorEvent>()) {
        return InvalidArgument(where, "corrects " + EventLabel(timeline, t) +
                                          ", which is an entered_in_error retraction; "
                                          "record the event again instead");
      }
      if (!retraction && ev[t].payload.index() != ev[i].payload.index()) {
        return InvalidArgument(where, "a " + std::string(ev[i].TypeName()) +
                                          " event cannot correct " + EventLabel(timeline, t) +
                                          ", a " + std::string(ev[t].TypeName()) +
                                          " event; use entered_in_error to retract it");
      }
      if (corrected_by[t] != kNone) {
        return InvalidArgument(where, EventLabel(timeline, t) + " is already corrected by " +
                                          EventLabel(timeline, corrected_by[t]) +
                                          "; correct that correction instead");
      }
      target[i] = t;
      corrected_by[t] = i;
    }
    if (std::any_of(ev.begin(), ev.end(),
                    [](const Event& e) { return e.As<EnteredInErrorEvent>() && !e.corrects; })) {
      for (size_t i = 0; i < n; ++i) {
        if (ev[i].As<EnteredInErrorEvent>() && !ev[i].corrects) {
          return InvalidArgument(EventLabel(timeline, i) + ".corrects",
                                 "an entered_in_error event must name the event it retracts");
        }
      }
    }
    // Cycles: with one target per event and one corrector per target, chains are
    // paths unless they loop back.
    for (size_t i = 0; i < n; ++i) {
      size_t cur = i, steps = 0;
      while (target[cur] != kNone && steps <= n) {
        cur = target[cur];
        ++steps;
      }
      if (steps > n) {
        return InvalidArgument(EventLabel(timeline, i) + ".corrects",
                               "corrections form a cycle; a correction must name an event "
                               "that is not itself correcting this one");
      }
    }
    // The head of a chain (an event nobody corrects) decides: a retraction removes
    // the whole chain; otherwise the head is in force and the rest are superseded.
    for (size_t i = 0; i < n; ++i) {
      if (corrected_by[i] != kNone) {
        size_t head = corrected_by[i];
        while (corrected_by[head] != kNone) head = corrected_by[head];
        out.superseded.push_back({&ev[i], ev[head].id});
        continue;
      }
      if (ev[i].As<EnteredInErrorEvent>()) continue;
      out.events.push_back(&ev[i]);
    }
  }
  // By date, ties in document order (out.events is in document order here).
  auto by_date = [](const Event* a, const Event* b) {
    return a->date != b->date ? a->date < b->date : a < b;
  };
  // (Events in force are a subsequence of the document, so in order if it is.)
  if (in_date_order || out.events.empty()) return {};
  const size_t span = static_cast<size_t>(static_cast<std::int64_t>(hi) - lo) + 1;
  if (span > 4 * out.events.size() + 1024) {
    // Dates far apart: the pointers run in document order, so comparing them makes an
    // unstable sort stable without a scratch buffer.
    std::sort(out.events.begin(), out.events.end(), by_date);
    return {};
  }
  // A timeline spans months, not decades: a counting sort by day (stable).
  thread_local std::vector<std::uint32_t> first_of_day_buf;
  thread_local std::vector<const Event*> sorted;
  first_of_day_buf.assign(span + 1, 0);
  sorted.resize(out.events.size());
  std::uint32_t* first_of_day = first_of_day_buf.data();
  const Event** to = sorted.data();
  for (const Event* e : out.events) ++first_of_day[e->date.days_since_epoch() - lo + 1];
  for (size_t d = 1; d <= span; ++d) first_of_day[d] += first_of_day[d - 1];
  for (const Event* e : out.events) to[first_of_day[e->date.days_since_epoch() - lo]++] = e;
  out.events.swap(sorted);
  return {};
}

}  // namespace isocourse::course
