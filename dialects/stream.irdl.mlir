// The `stream` dialect: FIFO dataflow graphs of streaming kernels.
//
// Single source of truth for the dialect. It is loaded by the Python package
// (inrarch_mlir.dialects.stream) into every context it creates, and can be
// loaded by hand with `torch-mlir-opt --irdl-file=dialects/stream.irdl.mlir`.
//
// A channel streams a tensor in row-major order, batch (sample) dimension
// outermost, `lanes` elements per FIFO word. Kernels consume and produce
// channels; every channel has exactly one producer and one consumer (fan-out
// goes through `stream.fork`). `stream.fifo` is the only op holding a depth.
// Rules IRDL cannot express (single consumer, shapes, region signatures,
// lanes dividing the row) are checked by Python verifiers attached to the
// ops: each op's `verify` in python/inrarch_mlir/kernels/<op>.py (its kind),
// attached as traits by python/inrarch_mlir/kernels/verify.py.
module {
  irdl.dialect @stream {
    // Lanes of a channel whose row length is not a multiple of the lanes:
    // the last word of every row is padded. `#stream.padded<4 : i64>`.
    irdl.attribute @padded {
      %lanes = irdl.base "#builtin.integer"
      irdl.parameters(lanes: %lanes)
    }

    // `!stream.channel<tensor<64x256xf32>, 4 : i64>`: a FIFO stream of the
    // tensor, 4 elements per word.
    irdl.type @channel {
      %tensor = irdl.base "!builtin.tensor"
      %int = irdl.base "#builtin.integer"
      %pad = irdl.base @stream::@padded
      %lanes = irdl.any_of(%int, %pad)
      irdl.parameters(tensor: %tensor, lanes: %lanes)
    }

    // `!stream.buffer<tensor<256x256xf32>>`: an on-chip (BRAM) copy of a
    // tensor, read by exactly one kernel.
    irdl.type @buffer {
      %tensor = irdl.base "!builtin.tensor"
      irdl.parameters(tensor: %tensor)
    }

    // memory -> stream: streams a function argument.
    irdl.operation @load {
      %tensor = irdl.base "!builtin.tensor"
      %chan = irdl.base @stream::@channel
      irdl.operands(source: %tensor)
      irdl.results(output: %chan)
    }

    // stream -> memory: the tensor a function returns.
    irdl.operation @store {
      %chan = irdl.base @stream::@channel
      %tensor = irdl.base "!builtin.tensor"
      irdl.operands(input: %chan)
      irdl.results(result: %tensor)
    }

    // memory -> on-chip buffer: weights, loaded inside the dataflow region.
    irdl.operation @weights {
      %tensor = irdl.base "!builtin.tensor"
      %buf = irdl.base @stream::@buffer
      irdl.operands(source: %tensor)
      irdl.results(buffer: %buf)
    }

    // The only op with a depth: a bounded FIFO of `depth` words.
    irdl.operation @fifo {
      %chan = irdl.base @stream::@channel
      %chan2 = irdl.base @stream::@channel
      %int = irdl.base "#builtin.integer"
      irdl.attributes {"depth" = %int}
      irdl.operands(input: %chan)
      irdl.results(output: %chan2)
    }

    // Duplicates a channel into N channels (HLS streams are single-consumer).
    irdl.operation @fork {
      %chan = irdl.base @stream::@channel
      %chan2 = irdl.base @stream::@channel
      irdl.operands(input: %chan)
      irdl.results(outputs: variadic %chan2)
    }

    // y[b, n] = sum_k x[b, k] * W[k, n] (W[n, k] when transpose_w is set),
    // with the weight matrix held on chip. The weight is a buffer, or a
    // channel [K, N] (a batch-dependent matrix: the matmul reads all of it
    // before its first row, a barrier).
    irdl.operation @matmul {
      %chan = irdl.base @stream::@channel
      %buf = irdl.base @stream::@buffer
      %wchan = irdl.base @stream::@channel
      %weight = irdl.any_of(%buf, %wchan)
      %chan2 = irdl.base @stream::@channel
      irdl.operands(input: %chan, weight: %weight)
      irdl.results(output: %chan2)
    }

    // Permutes the dims of the streamed tensor: `perm[i]` is the input dim
    // of output dim i. With perm[0] = 0 it works sample by sample; otherwise
    // it moves the batch and is a barrier (reads the whole tensor first).
    irdl.operation @transpose {
      %chan = irdl.base @stream::@channel
      %chan2 = irdl.base @stream::@channel
      %perm = irdl.base "#builtin.dense_array"
      irdl.attributes {"perm" = %perm}
      irdl.operands(input: %chan)
      irdl.results(output: %chan2)
    }

    // Elementwise kernel; the region maps one element of each input to one
    // element of the output with arith/math ops, ended by stream.yield.
    // IRDL binds one constraint variable to all values of a variadic, so
    // the inputs share one channel type (booleans travel as the float type).
    irdl.operation @map {
      %chan = irdl.base @stream::@channel
      %chan2 = irdl.base @stream::@channel
      irdl.operands(inputs: variadic %chan)
      irdl.results(output: %chan2)
      %body = irdl.region
      irdl.regions(body: %body)
    }

    // The jet kernel of Taylor mode: a map over the coefficient rows of a
    // sample. Inputs [B, R, N] (one type); the region takes the R values of
    // every input at one element (input-major) and yields the RO values of
    // the output [B, RO, N] there.
    irdl.operation @jet {
      %chan = irdl.base @stream::@channel
      %chan2 = irdl.base @stream::@channel
      irdl.operands(inputs: variadic %chan)
      irdl.results(output: %chan2)
      %body = irdl.region
      irdl.regions(body: %body)
    }

    // Terminator of a map or jet region.
    irdl.operation @yield {
      %any = irdl.any
      irdl.operands(values: variadic %any)
    }

    // Repeats a buffer for every sample, or a channel along size-1 dims
    // (a channel of one row repeated along the batch is a barrier).
    irdl.operation @broadcast {
      %chan = irdl.base @stream::@channel
      %buf = irdl.base @stream::@buffer
      %src = irdl.any_of(%chan, %buf)
      %chan2 = irdl.base @stream::@channel
      irdl.operands(input: %src)
      irdl.results(output: %chan2)
    }

    // Sums over the dimensions listed in `dims`, keeping them with size 1;
    // summing over dim 0 (the batch) is a barrier.
    irdl.operation @reduce {
      %chan = irdl.base @stream::@channel
      %chan2 = irdl.base @stream::@channel
      %dims = irdl.base "#builtin.dense_array"
      irdl.attributes {"dims" = %dims}
      irdl.operands(input: %chan)
      irdl.results(output: %chan2)
    }

    // Static strided slice; slicing dim 0 (the batch) is a barrier.
    irdl.operation @slice {
      %chan = irdl.base @stream::@channel
      %chan2 = irdl.base @stream::@channel
      %off = irdl.base "#builtin.dense_array"
      %size = irdl.base "#builtin.dense_array"
      %stride = irdl.base "#builtin.dense_array"
      irdl.attributes {"offsets" = %off, "sizes" = %size, "strides" = %stride}
      irdl.operands(input: %chan)
      irdl.results(output: %chan2)
    }

    // Rate changers (ASMR's activation sharing): each input sample written
    // `times` times in a row ([B/times, F...] -> [B, F...]; one sample held),
    // and every `stride`-th sample from `offset` ([B, F...] -> [B/stride,
    // F...]; streaming, nothing held). Samples interact: whole batches only.
    irdl.operation @repeat {
      %chan = irdl.base @stream::@channel
      %chan2 = irdl.base @stream::@channel
      %int = irdl.base "#builtin.integer"
      irdl.attributes {"times" = %int}
      irdl.operands(input: %chan)
      irdl.results(output: %chan2)
    }

    irdl.operation @subsample {
      %chan = irdl.base @stream::@channel
      %chan2 = irdl.base @stream::@channel
      %stride = irdl.base "#builtin.integer"
      %offset = irdl.base "#builtin.integer"
      irdl.attributes {"stride" = %stride, "offset" = %offset}
      irdl.operands(input: %chan)
      irdl.results(output: %chan2)
    }

    // Re-reads a channel with another shape of the same number of elements
    // per sample, in the same order (views, squeeze/unsqueeze). Free. It may
    // regroup rows ([1, N] <-> [N]) when neither side pads its words.
    irdl.operation @reshape {
      %chan = irdl.base @stream::@channel
      %chan2 = irdl.base @stream::@channel
      irdl.operands(input: %chan)
      irdl.results(output: %chan2)
    }

    // Concatenation along dimension `dim` of inputs of one type (IRDL
    // variadics share a type; inputs of different sizes chain concats);
    // along dim 0 (the batch) it is a barrier.
    irdl.operation @concat {
      %chan = irdl.base @stream::@channel
      %chan2 = irdl.base @stream::@channel
      %int = irdl.base "#builtin.integer"
      irdl.attributes {"dim" = %int}
      irdl.operands(inputs: variadic %chan)
      irdl.results(output: %chan2)
    }
  }
}
