// The pieces of the drill parser kept in their own files; internal to
// lib/sluice/plan.
#pragma once

#include <sluice/plan/drill_model.hpp>
#include <sluice/plan/fields.hpp>

namespace sluice::plan::detail {

// `director`: `none`, {httpRoute: {context, namespace, name, backends}} or
// {webhook: {url, secretFrom: {env|file}, header, timeout}}.
void read_director(const MapReader& top, Drill& drill);

}  // namespace sluice::plan::detail
