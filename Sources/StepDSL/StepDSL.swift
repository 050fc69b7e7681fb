// StepDSL module
