from snowroute.cli._summary import MAX_VIOLATION_LINES, exchange_lines


def _summary(violations: list[str]) -> dict:
    plan = {
        "total_hours": 9.5,
        "deadhead_km": 12.0,
        "vehicles": 2,
        "valid": not violations,
        "violations": violations,
    }
    return {"scenario": "s", "partners": [], "plans": {"baseline": plan}}


def test_a_plan_late_on_many_roads_prints_its_first_violations_only():
    late = ["Priority class 'arterial' is cleared 80 min after its deadline."]
    late += [f"Route 0 completes road {k} after its deadline." for k in range(30)]
    lines = exchange_lines(_summary(late), {})
    printed = [line for line in lines if "violation:" in line]
    assert len(printed) == MAX_VIOLATION_LINES
    assert "'arterial' is cleared 80 min" in printed[0]  # the class's delay first
    assert lines[-1] == (
        f"  baseline: ... and {len(late) - MAX_VIOLATION_LINES} more violations "
        "(-v lists them all)"
    )


def test_a_few_violations_print_in_full():
    lines = exchange_lines(_summary(["Shift exceeded.", "Capacity exceeded."]), {})
    assert lines[-2:] == [
        "  baseline: violation: Shift exceeded.",
        "  baseline: violation: Capacity exceeded.",
    ]
