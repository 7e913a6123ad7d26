/**
 * The validation layer's public face (docs/validation.md): browser scenarios against a running
 * instance, with screenshots, video, console and network errors, and a report.
 */
export { runValidation, type RunValidationOptions } from './run.js';
export { validateInstance, type ValidateInstanceOptions } from './validate-instance.js';
export type { ValidationReport, ScenarioResult, StepResult, StepFailure, ValidationEvent } from './types.js';
export { ValidationReportSchema } from './schema.js';
export { progressLine, summaryLines } from './render.js';
export { findChromium, findFfmpegTool } from './tools.js';
export { summarizeReport, ValidationSummarySchema, type ValidationSummary } from './summary.js';
