use patchwork_runtime::patchwork_feedback;
use std::marker::PhantomData;

struct Server<'a, T, const N: usize> {
    name: &'a str,
    _state: PhantomData<T>,
}

#[patchwork_feedback(slug = "generic", dispatch = "manual")]
impl<'a, T, const N: usize> Server<'a, T, N>
where
    T: Clone + Send + Sync + 'static,
{
    fn name(&self) -> &'a str {
        self.name
    }
}

fn main() {
    let server = Server::<'_, String, 3> { name: "generic", _state: PhantomData };
    assert_eq!(server.name(), "generic");
    assert_eq!(Server::<'_, u8, 1>::PATCHWORK_TOOL_NAME, "feedback");
    assert_eq!(Server::<'_, u8, 1>::patchwork_tool().name, "feedback");
    // Dispatch is a method of the generic type too; a name that is not the tool's is not ours.
    let not_ours = server.patchwork_dispatch("forecast", &serde_json::Value::Null);
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert!(runtime.block_on(not_ours).is_none());
}
