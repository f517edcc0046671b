//! Relayed cover images, fetched from Music Assistant once and kept: an
//! Echo's screen (and Amazon's image fetchers) may ask for the same cover
//! many times, and each ask must not become a request to Music Assistant.
//! Bounded: at most [`MAX_IMAGES`] images of at most
//! [`super::relay::MAX_IMAGE`] each, the oldest dropped first; fetches run
//! under their own small permit count ([`MAX_FETCHES`]), never the
//! stream slots.

use std::collections::VecDeque;
use std::sync::Mutex;

use bytes::Bytes;

/// Images kept at most (8 MiB at most in all).
pub const MAX_IMAGES: usize = 8;
/// Cover images fetched from Music Assistant at once.
pub const MAX_FETCHES: usize = 2;

/// One kept image: its content type and bytes.
pub type Image = (&'static str, Bytes);

/// The kept images, keyed by what was fetched (`host:port` + path and query).
#[derive(Debug, Default)]
pub struct ArtCache {
    images: Mutex<VecDeque<(String, Image)>>,
}

impl ArtCache {
    /// The image fetched for `key`, if kept.
    pub fn get(&self, key: &str) -> Option<Image> {
        let images = self.images.lock().unwrap_or_else(|p| p.into_inner());
        images
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, i)| i.clone())
    }

    /// Keeps `image` for `key`, dropping the oldest beyond [`MAX_IMAGES`].
    pub fn put(&self, key: String, image: Image) {
        let mut images = self.images.lock().unwrap_or_else(|p| p.into_inner());
        images.retain(|(k, _)| *k != key);
        images.push_back((key, image));
        while images.len() > MAX_IMAGES {
            images.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_images_are_bounded_oldest_first() {
        let c = ArtCache::default();
        for i in 0..(MAX_IMAGES + 3) {
            c.put(format!("k{i}"), ("image/png", Bytes::from(vec![0u8; 4])));
        }
        assert!(c.get("k0").is_none());
        assert!(c.get("k2").is_none());
        assert!(c.get("k3").is_some());
        assert!(c.get(&format!("k{}", MAX_IMAGES + 2)).is_some());
        assert_eq!(c.images.lock().unwrap().len(), MAX_IMAGES);
    }
}
