package cli

import "testing"

// TestTerraformGolden scans the Terraform fixture (a repository with production and
// development environments, shared modules and registry modules) for the controls the
// Terraform probe speaks for; docs/terraform.md lists the case each finding and near miss
// covers.
func TestTerraformGolden(t *testing.T) {
	goldenScan(t, "terraform", "--only", "ZT-2,SC-3,SC-4,SC-5,SC-7", "testdata/p4/terraform")
}
