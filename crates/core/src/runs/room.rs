/// A run's model in the browser's storage: whose, when the run started, how large.
#[derive(Clone, Debug, PartialEq)]
pub struct KeptModel {
    pub id: String,
    pub started_at: f64,
    pub bytes: u64,
}

/// What [`make_room`] decided.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Room {
    /// Runs whose models are dropped, oldest first (their records stay).
    pub drop: Vec<String>,
    /// Whether the new model fits once those are gone; if not, it is not kept (its record is).
    pub fits: bool,
}

/// The share of the quota Atelier fills before it makes room: the browser counts more than
/// our bytes (its own overhead, the page's files, the kept model), so the last tenth is left.
const FILL: f64 = 0.9;

/// The storage rule: records are always kept; models make room for a new one of `incoming`
/// bytes, the oldest run's first, until `used + incoming` is within the quota's usable share.
/// `used` is what the browser says the origin uses now (models included).
pub fn make_room(models: &[KeptModel], used: u64, quota: u64, incoming: u64) -> Room {
    let limit = (quota as f64 * FILL) as u64;
    let mut oldest_first: Vec<&KeptModel> = models.iter().collect();
    oldest_first.sort_by(|a, b| a.started_at.total_cmp(&b.started_at));
    let mut room = Room::default();
    let mut used = used;
    for model in oldest_first {
        if used.saturating_add(incoming) <= limit {
            break;
        }
        used = used.saturating_sub(model.bytes);
        room.drop.push(model.id.clone());
    }
    room.fits = used.saturating_add(incoming) <= limit;
    if !room.fits {
        // Dropping every model would not make room: drop none, keep them, skip the new one.
        room.drop.clear();
    }
    room
}

/// The bytes runs may take: what the browser lets this origin store beyond what is not runs
/// (`usage` and `quota` from `navigator.storage.estimate()`, of which `runs_used` are runs), or
/// `cap` when one is set (the page's `storage-quota`, for tests).
pub fn runs_quota(usage: f64, quota: f64, runs_used: u64, cap: Option<u64>) -> u64 {
    match cap {
        Some(cap) => cap,
        None => {
            let other = (usage - runs_used as f64).max(0.0);
            (quota - other).max(0.0) as u64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(id: &str, started_at: f64, bytes: u64) -> KeptModel {
        KeptModel {
            id: id.into(),
            started_at,
            bytes,
        }
    }

    #[test]
    fn the_oldest_models_make_room_first_and_only_as_many_as_needed() {
        let models = [
            model("new", 3.0, 100),
            model("old", 1.0, 100),
            model("mid", 2.0, 100),
        ];
        // Plenty of room: nothing dropped.
        assert_eq!(
            make_room(&models, 300, 10_000, 100),
            Room {
                drop: vec![],
                fits: true
            }
        );
        // Quota 500, usable 450: 300 used + 100 fits; 400 used + 100 needs one model dropped.
        assert_eq!(
            make_room(&models, 400, 500, 100),
            Room {
                drop: vec!["old".into()],
                fits: true
            }
        );
        assert_eq!(
            make_room(&models, 500, 500, 100),
            Room {
                drop: vec!["old".into(), "mid".into()],
                fits: true
            }
        );
    }

    #[test]
    fn runs_may_take_the_quota_less_what_is_not_runs() {
        assert_eq!(runs_quota(1_000.0, 10_000.0, 600, None), 9_600);
        assert_eq!(runs_quota(1_000.0, 10_000.0, 600, Some(50)), 50);
        assert_eq!(runs_quota(20_000.0, 10_000.0, 0, None), 0);
    }

    #[test]
    fn a_model_that_cannot_fit_drops_nothing() {
        let models = [model("a", 1.0, 10)];
        assert_eq!(
            make_room(&models, 100, 100, 1_000),
            Room {
                drop: vec![],
                fits: false
            }
        );
        assert_eq!(
            make_room(&[], 0, 0, 1),
            Room {
                drop: vec![],
                fits: false
            }
        );
    }
}
