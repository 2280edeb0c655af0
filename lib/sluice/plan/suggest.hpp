// "Did you mean" suggestions for misspelled field and function names, by
// edit distance; shared by the plan parser and the condition language.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::plan {

// Levenshtein distance, case-insensitive (so `Interval` finds `interval`).
int edit_distance(std::string_view a, std::string_view b);

// The closest candidate within a distance that scales with the word's length,
// or "" when nothing is close enough to be a plausible typo.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "" — ready to append to a message.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace sluice::plan
