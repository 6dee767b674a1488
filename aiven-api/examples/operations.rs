//! Prints the operation table of the compiled client, one operation a line:
//! `operation_id<TAB>METHOD<TAB>path<TAB>client_method`.
//!
//! `cargo xtask coverage` runs this, so coverage counts the operations of a
//! crate that compiled, not of generated source.

fn main() {
    for op in aiven_api::OPERATIONS {
        println!(
            "{}\t{}\t{}\t{}",
            op.operation_id, op.method, op.path, op.client_method
        );
    }
}
