"""The admin reports page's texts in Hebrew and English."""

from __future__ import annotations

from masu.web.ui.i18n import Lang

REPORT_TEXTS: dict[Lang, dict[str, str]] = {
    "en": {
        "r_title": "Reports",
        "r_intro": "Figures from the bookings of the chosen period, in Israel's time (Asia/Jerusalem).",
        "r_period": "Period",
        "r_from": "From date",
        "r_to": "To date",
        "r_show": "Show",
        "r_default": "Last 12 weeks",
        "r_showing": "Showing",
        "r_err_bad_date": "Enter a date as YYYY-MM-DD.",
        "r_err_period_reversed": "The end date must not be before the start date.",
        "r_err_period_too_long": "Choose a period of at most 366 days.",
        "r_table": "The figures as a table",
        "r_empty": "—",
        "r_cities_title": "Bookings per city",
        "r_pros_title": "Bookings per professional",
        "r_groups_note": "Bookings created in the period. Completed: the treatment took place "
        "(awaiting review or completed). Per professional counts only assigned bookings.",
        "r_col_city": "City",
        "r_col_pro": "Professional",
        "r_col_bookings": "Bookings",
        "r_col_completed": "Completed",
        "r_responses_title": "Professional response times per week",
        "r_responses_note": "Median minutes from an offer to the professional's answer "
        "(accepted or declined), for the offers of the period's bookings, by the week the offer was made. "
        "Weeks start on Sunday.",
        "r_col_week": "Week from",
        "r_col_median": "Median minutes",
        "r_col_answers": "Answers",
        "r_success_title": "Booking success rate per week",
        "r_success_note": "For the bookings created in each week: succeeded ÷ (created − still open). "
        "Still open: awaiting payment or a professional. Succeeded: a professional took it and it is "
        "confirmed or further on (on the way, in treatment, awaiting review, completed). "
        "Cancelled or refunded: failed.",
        "r_col_created": "Created",
        "r_col_open": "Still open",
        "r_col_succeeded": "Succeeded",
        "r_col_failed": "Failed",
        "r_col_rate": "Success rate",
        "r_patterns_title": "Booking patterns",
        "r_patterns_note": "The local weekday and hour of the appointment of each booking created in the "
        "period.",
        "r_weekday_title": "Bookings by weekday",
        "r_hour_title": "Bookings by hour of day",
        "r_col_weekday": "Weekday",
        "r_col_hour": "Hour",
        "r_day_0": "Sunday",
        "r_day_1": "Monday",
        "r_day_2": "Tuesday",
        "r_day_3": "Wednesday",
        "r_day_4": "Thursday",
        "r_day_5": "Friday",
        "r_day_6": "Saturday",
        "r_revenue_title": "Revenue per month",
        "r_revenue_note": "Only bookings whose treatment took place (awaiting review or completed), by "
        "the month of the appointment; cancelled and refunded bookings do not count. Company fee and "
        "professional payments (bonuses included) come from each booking's price breakdown.",
        "r_col_month": "Month",
        "r_col_treated": "Treated bookings",
        "r_col_fee": "Company fee (₪)",
        "r_col_pay": "Professional payments (₪)",
    },
    "he": {
        "r_title": "דוחות",
        "r_intro": "נתונים מההזמנות של התקופה שנבחרה, לפי שעון ישראל (Asia/Jerusalem).",
        "r_period": "תקופה",
        "r_from": "מתאריך",
        "r_to": "עד תאריך",
        "r_show": "הצגה",
        "r_default": "12 השבועות האחרונים",
        "r_showing": "מוצג",
        "r_err_bad_date": "יש להזין תאריך בתבנית YYYY-MM-DD.",
        "r_err_period_reversed": "תאריך הסיום לא יכול להיות לפני תאריך ההתחלה.",
        "r_err_period_too_long": "יש לבחור תקופה של 366 ימים לכל היותר.",
        "r_table": "הנתונים כטבלה",
        "r_empty": "—",
        "r_cities_title": "הזמנות לפי עיר",
        "r_pros_title": "הזמנות לפי מטפל/ת",
        "r_groups_note": "הזמנות שנוצרו בתקופה. הושלמו: הטיפול התקיים (ממתין לחוות דעת או הושלם). "
        "לפי מטפל/ת נספרות רק הזמנות ששובצו.",
        "r_col_city": "עיר",
        "r_col_pro": "מטפל/ת",
        "r_col_bookings": "הזמנות",
        "r_col_completed": "הושלמו",
        "r_responses_title": "זמני תגובה של מטפלים לפי שבוע",
        "r_responses_note": "חציון הדקות מהצעה ועד תשובת המטפל/ת (קבלה או דחייה), להצעות של הזמנות התקופה, "
        "לפי השבוע שבו נשלחה ההצעה. השבוע מתחיל ביום ראשון.",
        "r_col_week": "שבוע מיום",
        "r_col_median": "חציון דקות",
        "r_col_answers": "תשובות",
        "r_success_title": "שיעור הצלחת הזמנות לפי שבוע",
        "r_success_note": "להזמנות שנוצרו בכל שבוע: הצליחו ÷ (נוצרו − עדיין פתוחות). "
        "עדיין פתוחות: ממתינות לתשלום או למטפל/ת. הצליחו: מטפל/ת לקח/ה אותן והן מאושרות או מתקדמות יותר "
        "(בדרך, בטיפול, ממתינות לחוות דעת, הושלמו). בוטלו או הוחזרו: נכשלו.",
        "r_col_created": "נוצרו",
        "r_col_open": "עדיין פתוחות",
        "r_col_succeeded": "הצליחו",
        "r_col_failed": "נכשלו",
        "r_col_rate": "שיעור הצלחה",
        "r_patterns_title": "דפוסי הזמנה",
        "r_patterns_note": "היום בשבוע והשעה המקומיים של מועד הטיפול, לכל הזמנה שנוצרה בתקופה.",
        "r_weekday_title": "הזמנות לפי יום בשבוע",
        "r_hour_title": "הזמנות לפי שעה ביום",
        "r_col_weekday": "יום",
        "r_col_hour": "שעה",
        "r_day_0": "ראשון",
        "r_day_1": "שני",
        "r_day_2": "שלישי",
        "r_day_3": "רביעי",
        "r_day_4": "חמישי",
        "r_day_5": "שישי",
        "r_day_6": "שבת",
        "r_revenue_title": "הכנסות לפי חודש",
        "r_revenue_note": "רק הזמנות שהטיפול בהן התקיים (ממתינות לחוות דעת או הושלמו), לפי חודש מועד הטיפול; "
        "הזמנות שבוטלו או הוחזרו אינן נספרות. עמלת החברה ותשלומי המטפלים (כולל בונוסים) לקוחים מפירוט "
        "המחיר של כל הזמנה.",
        "r_col_month": "חודש",
        "r_col_treated": "טיפולים שהתקיימו",
        "r_col_fee": "עמלת החברה (₪)",
        "r_col_pay": "תשלומים למטפלים (₪)",
    },
}
