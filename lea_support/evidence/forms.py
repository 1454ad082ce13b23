"""The upload form for national data files."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovFileInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import BooleanField, SelectField, StringField, SubmitField

from ..core.forms import MaxLength
from .catalogue import KINDS
from .imports import DataFile


class DataImportForm(FlaskForm):
    file = FileField("Data file (CSV)", widget=GovFileInput(), validators=[FileRequired("Choose the file to import")],
                     description="Ofsted management information, KS2 or KS4 performance tables, school census or "
                                 "absence by school, as downloaded")
    kind = SelectField("Kind of file", widget=GovSelect(), default="",
                       choices=[("", "Recognise it from its columns"), *((k.code, k.label) for k in KINDS.values())])
    academic_year = StringField("Academic year", widget=GovTextInput(), validators=[MaxLength(7, "The academic year")],
                                description="For example 2018/19. Needed only when neither the file nor its name says")
    dry_run = BooleanField("Check the file and show what would change, without saving", widget=GovCheckboxInput())
    submit = SubmitField("Import file", widget=GovSubmitInput())

    def to_data(self) -> DataFile:
        upload = self.file.data
        return DataFile(raw=upload.stream.read(), filename=upload.filename or "upload.csv",
                        kind=self.kind.data or None, academic_year=(self.academic_year.data or "").strip() or None,
                        dry_run=bool(self.dry_run.data))
