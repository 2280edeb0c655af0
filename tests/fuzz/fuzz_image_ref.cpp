// libFuzzer target for the image reference parser: any bytes must give a
// reference that prints and parses back to itself, or one bounded, one-line
// error; never a crash, hang or leak.
#include <sluice/registry/reference.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

// An error message quotes the input escaped and cut: no control characters,
// and a size bounded whatever the input's.
bool printable_and_short(const std::string& message) {
  for (char c : message) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
  }
  return message.size() < 1024;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto ref = sluice::registry::parse_image_ref(text);
  auto problem = sluice::registry::image_ref_problem(text);
  if (ref.ok() == problem.has_value()) std::abort();  // the two entry points agree
  if (!ref.ok()) {
    if (!printable_and_short(ref.error().message)) std::abort();
    return 0;
  }
  // The canonical form is a valid reference naming the same image.
  auto again = sluice::registry::parse_image_ref(ref->str());
  if (!again.ok()) std::abort();
  if (again->domain != ref->domain || again->repository != ref->repository || again->tag != ref->tag ||
      again->digest != ref->digest)
    std::abort();
  if (ref->name().size() > 255) std::abort();
  (void)ref->api_host();
  return 0;
}
