// File: scratch.h (internal to src/core/course/ and src/core/program/)
//
// Scratch<T>: a per-thread buffer that one evaluation borrows and gives back, so the
// large vectors an evaluation fills (grouped events, the dose ledger's input, the
// program's record) keep their capacity from one patient to the next instead of being
// allocated again; a worklist or a sweep evaluates many patients per thread. When this
// thread's buffer is already borrowed (an evaluation inside another), a private one is
// used instead. The borrower must clear what it reuses.
#pragma once

namespace isocourse::course {

template <class T>
class Scratch {
 public:
  Scratch() {
    if (!tls_in_use_) {
      tls_in_use_ = true;
      owned_ = false;
      ptr_ = &tls_value_;
    } else {
      ptr_ = &local_;
    }
  }
  ~Scratch() {
    if (!owned_) tls_in_use_ = false;
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  T& operator*() { return *ptr_; }
  T* operator->() { return ptr_; }

 private:
  static thread_local T tls_value_;
  static thread_local bool tls_in_use_;
  T local_;
  T* ptr_ = nullptr;
  bool owned_ = true;
};
template <class T>
thread_local T Scratch<T>::tls_value_;
template <class T>
thread_local bool Scratch<T>::tls_in_use_ = false;

}  // namespace isocourse::course
