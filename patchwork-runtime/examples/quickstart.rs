//! The quickstart (work in progress: the rmcp helper is writing it).

fn main() {}
