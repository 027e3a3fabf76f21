"""drafter: 工会工作报告起草助手 (report-drafting assistant for Chinese trade-union offices).

Pipeline, one module a stage:
read → clean → segment → classify → corpus/index → search → phrases → draft → write/check.
"""

__version__ = "0.1.0"

import logging as _logging

# jieba announces its dictionary loading on stderr at DEBUG level, resetting its level
# on import; a filter on its logger survives that, so users see only real warnings.
_logging.getLogger("jieba").addFilter(lambda record: record.levelno >= _logging.WARNING)
