/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SCSI and SCST constants shared by the SCST core, dev handlers and target
 * drivers that the kernel headers do not provide.
 *
 * Sense data "tuples" are written as three comma separated values
 * (sense key, ASC, ASCQ) so that they can be passed to any function taking
 * those three arguments, e.g.:
 *
 *	scst_build_sense(buf, len, d_sense,
 *			 SCST_LOAD_SENSE(scst_sense_invalid_opcode));
 *
 * The ASC/ASCQ values are those of the SPC-4 additional sense code table.
 */
#ifndef __SCST_CONST_H
#define __SCST_CONST_H

#include "scst_pure_types.h"

/*
 * Each sense tuple below is a function-like macro taking the name of a macro
 * to apply to (key, asc, ascq); SCST_LOAD_SENSE() applies the identity, so
 * that SCST_LOAD_SENSE(scst_sense_invalid_opcode) expands to
 * "ILLEGAL_REQUEST, 0x20, 0x00".  Always use the tuples via SCST_LOAD_SENSE().
 */
#define __SCST_SENSE_ARGS(...)		__VA_ARGS__
#define SCST_LOAD_SENSE(key_asc_ascq)	key_asc_ascq(__SCST_SENSE_ARGS)

/* Size of the sense buffer of a command */
#define SCST_SENSE_BUFFERSIZE		96
/* Length of fixed format sense data with no additional bytes */
#define SCST_STANDARD_SENSE_LEN		18
/* Length of the descriptor format sense data header */
#define SCST_DESC_SENSE_HDR_LEN		8

/* Sense data RESPONSE CODE values */
#define SCST_SENSE_FIXED_CURRENT	0x70
#define SCST_SENSE_FIXED_DEFERRED	0x71
#define SCST_SENSE_DESC_CURRENT		0x72
#define SCST_SENSE_DESC_DEFERRED	0x73

/* Highest LUN number (14 bit flat space addressing) */
#define SCST_MAX_LUN			16383

/* LUN addressing methods, as configured per target */
#define SCST_LUN_ADDR_METHOD_PERIPHERAL	0
#define SCST_LUN_ADDR_METHOD_FLAT	1
#define SCST_LUN_ADDR_METHOD_LUN	2

/* Task attributes (SAM-5) */
enum scst_cmd_queue_type {
	SCST_CMD_QUEUE_UNTAGGED = 0,
	SCST_CMD_QUEUE_SIMPLE,
	SCST_CMD_QUEUE_ORDERED,
	SCST_CMD_QUEUE_HEAD_OF_QUEUE,
	SCST_CMD_QUEUE_ACA,
};

/* Data direction of a command, seen from the initiator */
enum scst_data_direction {
	SCST_DATA_NONE = 0,
	SCST_DATA_WRITE = 1,
	SCST_DATA_READ = 2,
	SCST_DATA_BIDI = 3,
	SCST_DATA_UNKNOWN = 4,
};

/* Task management functions */
#define SCST_ABORT_TASK			0
#define SCST_ABORT_TASK_SET		1
#define SCST_CLEAR_ACA			2
#define SCST_CLEAR_TASK_SET		3
#define SCST_LUN_RESET			4
#define SCST_TARGET_RESET		5
/* I_T nexus loss of one session */
#define SCST_NEXUS_LOSS_SESS		6
/* Abort all tasks of one session */
#define SCST_ABORT_ALL_TASKS_SESS	7
/* I_T nexus loss of all sessions of a target */
#define SCST_NEXUS_LOSS			8
/* Abort all tasks of all sessions of a target */
#define SCST_ABORT_ALL_TASKS		9
/* Internal: session unregistration */
#define SCST_UNREG_SESS_TM		10
/* Internal: PREEMPT AND ABORT of persistent reservations */
#define SCST_PR_ABORT_ALL		11

/* Task management function completion status */
#define SCST_MGMT_STATUS_SUCCESS		0
#define SCST_MGMT_STATUS_TASK_NOT_EXIST		-1
#define SCST_MGMT_STATUS_LUN_NOT_EXIST		-2
#define SCST_MGMT_STATUS_FN_NOT_SUPPORTED	-5
#define SCST_MGMT_STATUS_REJECTED		-255
#define SCST_MGMT_STATUS_FAILED			-129

/*
 * Sense data tuples: sense key, ADDITIONAL SENSE CODE, ADDITIONAL SENSE
 * CODE QUALIFIER.
 */

#define scst_sense_no_sense(m)			m(NO_SENSE, 0x00, 0x00)

/* NOT READY */
#define scst_sense_not_ready(m)			m(NOT_READY, 0x04, 0x00)
#define scst_sense_not_ready_becoming_ready(m)	m(NOT_READY, 0x04, 0x01)
#define scst_sense_not_ready_init_cmd_required(m)	m(NOT_READY, 0x04, 0x02)
#define scst_sense_not_ready_manual_intervention(m)	m(NOT_READY, 0x04, 0x03)
#define scst_sense_not_ready_format_in_progress(m)	m(NOT_READY, 0x04, 0x04)
#define scst_sense_not_ready_alua_transition(m)	m(NOT_READY, 0x04, 0x0a)
#define scst_sense_not_ready_alua_standby(m)	m(NOT_READY, 0x04, 0x0b)
#define scst_sense_not_ready_alua_unavailable(m)	m(NOT_READY, 0x04, 0x0c)
#define scst_sense_not_ready_offline(m)		m(NOT_READY, 0x04, 0x12)
#define scst_sense_medium_not_present(m)	m(NOT_READY, 0x3a, 0x00)

/* MEDIUM ERROR */
#define scst_sense_read_error(m)		m(MEDIUM_ERROR, 0x11, 0x00)
#define scst_sense_unrecovered_read_error(m)	m(MEDIUM_ERROR, 0x11, 0x00)
#define scst_sense_write_error(m)		m(MEDIUM_ERROR, 0x0c, 0x00)
#define scst_sense_unrecovered_write_error(m)	m(MEDIUM_ERROR, 0x0c, 0x00)

/* HARDWARE ERROR */
#define scst_sense_internal_failure(m)		m(HARDWARE_ERROR, 0x44, 0x00)
#define scst_sense_hardw_error(m)		m(HARDWARE_ERROR, 0x44, 0x00)

/* ILLEGAL REQUEST */
#define scst_sense_invalid_opcode(m)		m(ILLEGAL_REQUEST, 0x20, 0x00)
#define scst_sense_lba_out_of_range(m)		m(ILLEGAL_REQUEST, 0x21, 0x00)
#define scst_sense_block_out_range_error(m)	m(ILLEGAL_REQUEST, 0x21, 0x00)
#define scst_sense_invalid_field_in_cdb(m)	m(ILLEGAL_REQUEST, 0x24, 0x00)
#define scst_sense_lun_not_supported(m)		m(ILLEGAL_REQUEST, 0x25, 0x00)
#define scst_sense_invalid_field_in_parm_list(m) \
	m(ILLEGAL_REQUEST, 0x26, 0x00)
#define scst_sense_parameter_not_supported(m)	m(ILLEGAL_REQUEST, 0x26, 0x01)
#define scst_sense_parameter_value_invalid(m)	m(ILLEGAL_REQUEST, 0x26, 0x02)
#define scst_sense_invalid_release(m)		m(ILLEGAL_REQUEST, 0x26, 0x04)
#define scst_sense_parameter_list_length_invalid(m) \
	m(ILLEGAL_REQUEST, 0x1a, 0x00)
#define scst_sense_invalid_field_in_command_info_unit(m) \
	m(ILLEGAL_REQUEST, 0x0e, 0x03)
#define scst_sense_saving_params_unsup(m)	m(ILLEGAL_REQUEST, 0x39, 0x00)
#define scst_sense_invalid_message(m)		m(ILLEGAL_REQUEST, 0x49, 0x00)
#define scst_sense_medium_removal_prevented(m)	m(ILLEGAL_REQUEST, 0x53, 0x02)
#define scst_sense_insufficient_reservation_resources(m) \
	m(ILLEGAL_REQUEST, 0x55, 0x02)
#define scst_sense_insufficient_resources(m)	m(ILLEGAL_REQUEST, 0x55, 0x03)
#define scst_sense_insufficient_registration_resources(m) \
	m(ILLEGAL_REQUEST, 0x55, 0x04)

/* UNIT ATTENTION */
#define scst_sense_medium_changed_UA(m)		m(UNIT_ATTENTION, 0x28, 0x00)
#define scst_sense_reset_UA(m)			m(UNIT_ATTENTION, 0x29, 0x00)
#define scst_sense_power_on_UA(m)		m(UNIT_ATTENTION, 0x29, 0x01)
#define scst_sense_bus_reset_UA(m)		m(UNIT_ATTENTION, 0x29, 0x02)
#define scst_sense_bus_device_reset_UA(m)	m(UNIT_ATTENTION, 0x29, 0x03)
#define scst_sense_nexus_loss_UA(m)		m(UNIT_ATTENTION, 0x29, 0x07)
#define scst_sense_params_changed_UA(m)		m(UNIT_ATTENTION, 0x2a, 0x00)
#define scst_sense_mode_parameters_changed(m)	m(UNIT_ATTENTION, 0x2a, 0x01)
#define scst_sense_reservations_preempted(m)	m(UNIT_ATTENTION, 0x2a, 0x03)
#define scst_sense_reservations_released(m)	m(UNIT_ATTENTION, 0x2a, 0x04)
#define scst_sense_registrations_preempted(m)	m(UNIT_ATTENTION, 0x2a, 0x05)
#define scst_sense_asym_access_state_changed(m)	m(UNIT_ATTENTION, 0x2a, 0x06)
#define scst_sense_capacity_data_changed(m)	m(UNIT_ATTENTION, 0x2a, 0x09)
#define scst_sense_cleared_by_another_ini_UA(m)	m(UNIT_ATTENTION, 0x2f, 0x00)
#define scst_sense_microcode_changed_UA(m)	m(UNIT_ATTENTION, 0x3f, 0x01)
#define scst_sense_inquiry_data_changed(m)	m(UNIT_ATTENTION, 0x3f, 0x03)
#define scst_sense_reported_luns_data_changed(m) \
	m(UNIT_ATTENTION, 0x3f, 0x0e)
#define scst_sense_power_condition_active_UA(m)	m(UNIT_ATTENTION, 0x5e, 0x41)

/* Informational: the logical unit is in a low power condition */
#define scst_sense_low_power_condition_on(m)	m(NO_SENSE, 0x5e, 0x00)

/* DATA PROTECT */
#define scst_sense_write_protected(m)		m(DATA_PROTECT, 0x27, 0x00)
#define scst_sense_data_protect(m)		m(DATA_PROTECT, 0x27, 0x00)

/* ABORTED COMMAND */
#define scst_sense_aborted_command(m)		m(ABORTED_COMMAND, 0x00, 0x00)
#define scst_sense_data_phase_error(m)		m(ABORTED_COMMAND, 0x4b, 0x00)
#define scst_sense_too_much_write_data(m)	m(ABORTED_COMMAND, 0x4b, 0x02)
#define scst_sense_ack_nak_timeout(m)		m(ABORTED_COMMAND, 0x4b, 0x03)
#define scst_sense_aborted_internal_failure(m)	m(ABORTED_COMMAND, 0x44, 0x00)
#define scst_sense_overlapped_commands(m)	m(ABORTED_COMMAND, 0x4e, 0x00)

/* MISCOMPARE */
#define scst_sense_miscompare_error(m)		m(MISCOMPARE, 0x1d, 0x00)
#define scst_sense_miscompare(m)		m(MISCOMPARE, 0x1d, 0x00)

#endif /* __SCST_CONST_H */
