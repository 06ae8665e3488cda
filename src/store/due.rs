//! What each case's nearest deadline is, for the queue's STAGE column when
//! every stage is done (the service term, a hearing notice, ...).

use super::{Store, StoreError};
use crate::domain::urgency::{self, DeadlineKind};

impl Store {
    /// The kind of the nearest open deadline of each case named, computed
    /// from the case as stored; a case without one is left out.
    pub fn due_kinds(&self, numbers: &[String]) -> Result<Vec<(String, DeadlineKind)>, StoreError> {
        let mut out = Vec::new();
        for number in numbers {
            let c = self.case(number)?.case;
            let Some(v) = self.rules.version(&c.procedure, &c.version) else {
                continue;
            };
            if let Ok(list) = urgency::open_deadlines(&c, v, &self.cal)
                && let Some(d) = urgency::nearest(&list)
            {
                out.push((number.clone(), d.kind.clone()));
            }
        }
        Ok(out)
    }
}
