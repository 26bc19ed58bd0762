func.func @f() {
  // café
  return
}
