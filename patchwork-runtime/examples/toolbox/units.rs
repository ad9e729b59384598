//! Unit conversion through one base unit per quantity.

/// A unit: its quantity and how to turn it into the quantity's base unit (m, kg, l, K).
struct Unit {
    names: &'static [&'static str],
    quantity: &'static str,
    /// `base = value * scale + offset`.
    scale: f64,
    offset: f64,
}

const fn unit(names: &'static [&'static str], quantity: &'static str, scale: f64) -> Unit {
    Unit {
        names,
        quantity,
        scale,
        offset: 0.0,
    }
}

const UNITS: &[Unit] = &[
    unit(&["mm", "millimeter", "millimetre"], "length", 0.001),
    unit(&["cm", "centimeter", "centimetre"], "length", 0.01),
    unit(&["m", "meter", "metre"], "length", 1.0),
    unit(&["km", "kilometer", "kilometre"], "length", 1000.0),
    unit(&["in", "inch", "inches"], "length", 0.0254),
    unit(&["ft", "foot", "feet"], "length", 0.3048),
    unit(&["yd", "yard"], "length", 0.9144),
    unit(&["mi", "mile"], "length", 1609.344),
    unit(&["mg", "milligram"], "mass", 0.000_001),
    unit(&["g", "gram"], "mass", 0.001),
    unit(&["kg", "kilogram"], "mass", 1.0),
    unit(&["oz", "ounce"], "mass", 0.028_349_523_125),
    unit(&["lb", "lbs", "pound"], "mass", 0.453_592_37),
    unit(&["ml", "milliliter", "millilitre"], "volume", 0.001),
    unit(&["l", "liter", "litre"], "volume", 1.0),
    unit(&["tsp", "teaspoon"], "volume", 0.004_928_921_593_75),
    unit(&["tbsp", "tablespoon"], "volume", 0.014_786_764_781_25),
    unit(&["cup"], "volume", 0.236_588_236_5),
    unit(
        &["floz", "fl oz", "fluid ounce"],
        "volume",
        0.029_573_529_562_5,
    ),
    unit(&["gal", "gallon"], "volume", 3.785_411_784),
    Unit {
        names: &["degc", "c", "celsius"],
        quantity: "temperature",
        scale: 1.0,
        offset: 273.15,
    },
    Unit {
        names: &["degf", "f", "fahrenheit"],
        quantity: "temperature",
        scale: 5.0 / 9.0,
        offset: 273.15 - 32.0 * 5.0 / 9.0,
    },
    unit(&["k", "kelvin"], "temperature", 1.0),
];

fn find(name: &str) -> Result<&'static Unit, String> {
    let wanted = name.trim().trim_start_matches('°').to_ascii_lowercase();
    let singular = wanted.strip_suffix('s').unwrap_or(&wanted);
    UNITS
        .iter()
        .find(|unit| unit.names.iter().any(|n| *n == wanted || *n == singular))
        .ok_or_else(|| format!("unknown unit `{name}`; known units: {}", known()))
}

fn known() -> String {
    UNITS
        .iter()
        .map(|u| u.names[0])
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn convert(value: f64, from: &str, to: &str) -> Result<f64, String> {
    let (from_unit, to_unit) = (find(from)?, find(to)?);
    if from_unit.quantity != to_unit.quantity {
        return Err(format!(
            "cannot convert {} (`{from}`) to {} (`{to}`)",
            from_unit.quantity, to_unit.quantity
        ));
    }
    let base = value * from_unit.scale + from_unit.offset;
    Ok((base - to_unit.offset) / to_unit.scale)
}

/// At most 6 decimals, without trailing zeros.
pub fn round(value: f64) -> String {
    let text = format!("{value:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
