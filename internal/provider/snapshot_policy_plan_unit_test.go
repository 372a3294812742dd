package provider

import "testing"

// One warning per expression per provider process, however many policies share it.
func TestFirstCronWarning(t *testing.T) {
	if !firstCronWarning("*/3 * * * * unit-test") {
		t.Fatal("the first policy with an expression was not warned")
	}
	for i := 0; i < 8; i++ {
		if firstCronWarning("*/3 * * * * unit-test") {
			t.Fatal("a second policy with the same expression was warned again")
		}
	}
	if !firstCronWarning("*/4 * * * * unit-test") {
		t.Fatal("another expression was not warned")
	}
}
