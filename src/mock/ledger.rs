//! A bounded map of what the mock hands out (codes, tokens, sessions, device
//! codes), keyed by the random value itself: entries that have expired are
//! purged, and at its cap the oldest entry is forgotten first, so a mock
//! that runs for days under load holds a bounded amount of memory.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// What an entry needs for purging: when it expires.
pub(crate) trait Expiring {
    /// Milliseconds since the epoch; `None`: never.
    fn expires_ms(&self) -> Option<u64>;
}

type Shard<V> = HashMap<Arc<str>, V, foldhash::fast::RandomState>;

/// Entries in shards: under load a mock holds a hundred thousand tokens,
/// and one map that size stops every request for tens of milliseconds each
/// time it grows; a shard grows a 64th as much.
pub(crate) struct Ledger<V> {
    /// Hashed with foldhash: the keys are the mock's own random values, and
    /// SipHash over a hundred characters was a twentieth of the token
    /// endpoint's time.
    shards: Vec<Shard<V>>,
    /// Every key in insertion order, oldest first. The same `Arc` as the
    /// map's key, so no second copy; a key removed since stays here until
    /// it is popped or the queue is compacted.
    order: VecDeque<Arc<str>>,
    len: usize,
    cap: usize,
}

impl<V: Expiring> Ledger<V> {
    /// Below this many queued keys the order queue is never compacted.
    const COMPACT_FLOOR: usize = 1024;

    /// `shards` maps (at least one) holding at most `cap` entries (at least one).
    pub(crate) fn new(shards: usize, cap: usize) -> Self {
        Ledger {
            shards: (0..shards.max(1))
                .map(|_| HashMap::with_hasher(foldhash::fast::RandomState::default()))
                .collect(),
            order: VecDeque::new(),
            len: 0,
            cap: cap.max(1),
        }
    }

    fn shard(&self, key: &str) -> usize {
        shard_of(key, self.shards.len())
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        self.shards[self.shard(key)].get(key)
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        let shard = self.shard(key);
        self.shards[shard].get_mut(key)
    }

    /// Adds an entry, first forgetting the oldest ones while at the cap. A
    /// key that is already held gets the new value and keeps its place.
    pub(crate) fn insert(&mut self, key: String, value: V) {
        let shard = self.shard(&key);
        if let Some(held) = self.shards[shard].get_mut(key.as_str()) {
            *held = value;
            return;
        }
        while self.len >= self.cap && self.evict_oldest() {}
        let key: Arc<str> = Arc::from(key);
        self.shards[shard].insert(Arc::clone(&key), value);
        self.len += 1;
        self.order.push_back(key);
        self.compact_if_sparse();
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<V> {
        let shard = self.shard(key);
        let removed = self.shards[shard].remove(key);
        if removed.is_some() {
            self.len -= 1;
        }
        removed
    }

    /// Keeps the entries for which `keep` is true.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&str, &V) -> bool) {
        let mut len = 0;
        for shard in &mut self.shards {
            shard.retain(|key, value| keep(key, value));
            len += shard.len();
        }
        self.len = len;
        self.compact_if_sparse();
    }

    /// Forgets every entry that has expired at `now_ms`.
    pub(crate) fn purge(&mut self, now_ms: u64) {
        self.retain(|_, value| value.expires_ms().is_none_or(|expires| now_ms < expires));
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.shards
            .iter()
            .flat_map(|shard| shard.iter().map(|(key, value)| (&**key, value)))
    }

    /// Removes the oldest entry still held; `false` when there is none.
    fn evict_oldest(&mut self) -> bool {
        while let Some(key) = self.order.pop_front() {
            let shard = self.shard(&key);
            let current = self.shards[shard]
                .get_key_value(&*key)
                .is_some_and(|(held, _)| Arc::ptr_eq(held, &key));
            if current {
                self.shards[shard].remove(&*key);
                self.len -= 1;
                return true;
            }
        }
        false
    }

    /// Drops the queued keys of removed entries once they outnumber the
    /// live ones, so the queue stays within twice the entries (amortised:
    /// at most one pass per `len` removals).
    fn compact_if_sparse(&mut self) {
        if self.order.len() < Self::COMPACT_FLOOR.max(2 * self.len()) {
            return;
        }
        let shards = &self.shards;
        let count = shards.len();
        self.order.retain(|key| {
            shards[shard_of(key, count)]
                .get_key_value(&**key)
                .is_some_and(|(held, _)| Arc::ptr_eq(held, key))
        });
    }
}

/// Keys are random: their last characters spread them evenly.
fn shard_of(key: &str, count: usize) -> usize {
    let hash = key.bytes().rev().take(4).fold(0usize, |h, b| {
        h.wrapping_mul(31).wrapping_add(usize::from(b))
    });
    hash % count
}

#[cfg(test)]
mod tests {
    use super::{Expiring, Ledger};

    struct Entry(Option<u64>);

    impl Expiring for Entry {
        fn expires_ms(&self) -> Option<u64> {
            self.0
        }
    }

    fn keys(ledger: &Ledger<Entry>) -> Vec<String> {
        let mut keys: Vec<String> = ledger.iter().map(|(key, _)| key.to_owned()).collect();
        keys.sort();
        keys
    }

    #[test]
    fn at_the_cap_the_oldest_entry_goes_first() {
        let mut ledger = Ledger::new(4, 3);
        for key in ["a1", "b2", "c3"] {
            ledger.insert(key.into(), Entry(None));
        }
        ledger.insert("d4".into(), Entry(None));
        assert_eq!(keys(&ledger), ["b2", "c3", "d4"]);
        // A removed entry's place is skipped: the next oldest goes.
        assert!(ledger.remove("b2").is_some());
        ledger.insert("e5".into(), Entry(None));
        assert_eq!(keys(&ledger), ["c3", "d4", "e5"]);
        ledger.insert("f6".into(), Entry(None));
        assert_eq!(keys(&ledger), ["d4", "e5", "f6"]);
        assert_eq!(ledger.len(), 3);
    }

    #[test]
    fn a_key_removed_and_given_again_is_not_evicted_by_its_old_place() {
        let mut ledger = Ledger::new(1, 2);
        ledger.insert("a".into(), Entry(None));
        ledger.insert("b".into(), Entry(None));
        ledger.remove("a");
        ledger.insert("a".into(), Entry(None));
        // "a"'s first place is stale: "b" is now the oldest.
        ledger.insert("c".into(), Entry(None));
        assert_eq!(keys(&ledger), ["a", "c"]);
    }

    #[test]
    fn purge_forgets_what_has_expired_and_keeps_what_never_does() {
        let mut ledger = Ledger::new(2, 10);
        ledger.insert("old".into(), Entry(Some(100)));
        ledger.insert("new".into(), Entry(Some(200)));
        ledger.insert("forever".into(), Entry(None));
        ledger.purge(100);
        assert_eq!(keys(&ledger), ["forever", "new"]);
        ledger.purge(u64::MAX);
        assert_eq!(keys(&ledger), ["forever"]);
        assert_eq!(ledger.len(), 1);
    }

    #[test]
    fn the_order_queue_stays_bounded_when_entries_are_removed() {
        let mut ledger = Ledger::new(8, 100_000);
        for n in 0..10_000 {
            let key = format!("token-{n}");
            ledger.insert(key.clone(), Entry(None));
            ledger.remove(&key);
        }
        assert_eq!(ledger.len(), 0);
        assert!(ledger.order.len() <= 1024, "{}", ledger.order.len());
    }
}
