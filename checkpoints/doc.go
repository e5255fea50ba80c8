// Package checkpoints reads and writes DeBERTa weight files and maps HuggingFace tensor names to model
// variables.
//
// This file documents the file-format part; the HF-name ↔ model-variable table, loading into a model,
// export, and loading by hub name (OpenPretrained, over package hub) live in other files of this package.
//
// File formats:
//   - safetensors (ReadSafetensors, ParseSafetensorsHeader, WriteSafetensors): the file is memory-mapped,
//     the header is validated strictly (known dtypes, byte sizes, offsets that tile the data section).
//   - sharded safetensors and sharded torch checkpoints (ReadShardedSafetensors, ReadShardedTorchBin) from
//     their `*.index.json`, checked for missing, misplaced and duplicated keys.
//   - PyTorch checkpoints, `pytorch_model.bin` (ReadTorchBin), in the zip (torch ≥ 1.6) or the legacy stream
//     format, read by a restricted unpickler that executes no code and accepts only the globals a state dict
//     needs (package checkpoints/torchpickle).
//   - FindWeightFiles / ReadStateDict pick the weight files of a HuggingFace folder, including Microsoft's
//     `pytorch_model.generator.bin`.
//
// Every floating tensor is converted to float32 (Tensor.Data) whatever its storage dtype (F32, F16, BF16,
// F64; Tensor.DType keeps it); integer buffers such as `position_ids` are kept as int64 (Tensor.Int64).
// Errors name the file, the tensor key and the numbers involved.
package checkpoints
