//! Where sorting used to live: it is pure over rows and moved to [`crate::model::sort`].
//! Kept while `src/main.rs` and the benches still name this path.

pub use crate::model::sort::{order, order_cached, SortCache};
