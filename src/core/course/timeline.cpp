#include "core/course/timeline.h"

#include <algorithm>
#include <cstdint>
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

  bool any_correction = false;
  for (const Event& e : ev) any_correction |= e.corrects.has_value();

  // Ids in an open-addressing table (FNV-1a): one allocation, no per-id nodes.
  size_t cap = 16;
  while (cap < n * 2) cap <<= 1;
  // Scratch table reused across calls on this thread.
  thread_local std::vector<int> slots;
  slots.assign(cap, -1);
  auto hash = [](std::string_view v) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : v) h = (h ^ c) * 1099511628211ULL;
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
  // By date, ties in document order: the pointers run in document order, so comparing
  // them makes an unstable sort stable without a scratch buffer.
  auto by_date = [](const Event* a, const Event* b) {
    return a->date != b->date ? a->date < b->date : a < b;
  };
  if (!std::is_sorted(out.events.begin(), out.events.end(), by_date)) {
    std::sort(out.events.begin(), out.events.end(), by_date);
  }
  return {};
}

}  // namespace isocourse::course
