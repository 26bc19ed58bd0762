// inrarch/inrarch.h -- umbrella header: everything emitted code needs.
#ifndef INRARCH_INRARCH_H
#define INRARCH_INRARCH_H

#include "inrarch/types.h"
#include "inrarch/stream.h"
#include "inrarch/kernels.h"
#include "inrarch/rate.h"
#include "inrarch/math.h"
#include "inrarch/dataflow.h"

#endif  // INRARCH_INRARCH_H
