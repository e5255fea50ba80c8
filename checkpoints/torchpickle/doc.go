// Package torchpickle reads the pickle of a PyTorch state dict without executing any code.
//
// A small pickle virtual machine (protocols 0 to 5) resolves globals through an allow-list:
// collections.OrderedDict, torch._utils._rebuild_tensor{,_v2}, torch._utils._rebuild_parameter* and the
// torch.<Type>Storage classes; opcodes that build arbitrary objects (INST, OBJ, NEWOBJ, EXT*) are refused.
// Every read is bounds-checked and nothing recurses, so arbitrary input yields an error, never a panic.
// ParseStateDict returns the (name, tensor view) entries in pickle order; the storage bytes themselves are
// read by package checkpoints from the zip archive (torch ≥ 1.6) or the legacy stream.
package torchpickle
