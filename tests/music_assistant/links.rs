//! How a link's Music Assistant token ends.
#![allow(unused_imports)]
use super::*;
