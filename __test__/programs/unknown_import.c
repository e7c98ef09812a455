// Imports a function that no WASI host provides, for the CLI's
// "unknown import" error.
__attribute__((import_module("env"), import_name("not_a_wasi_function"))) int not_a_wasi_function(void);

int main(void) { return not_a_wasi_function(); }
